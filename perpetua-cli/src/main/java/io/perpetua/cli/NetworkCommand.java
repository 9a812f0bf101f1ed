package io.perpetua.cli;

import io.perpetua.client.NetworkPolicy;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox network}: shows or replaces where a sandbox may open connections to. */
@Command(name = "network", description = "Shows a sandbox's network policy, or replaces it (without waking the sandbox).")
final class NetworkCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Mixin
    private NetworkOptions network;

    @Option(names = "--default", description = "Back to the daemon's default: the public internet open, private ranges closed.")
    private boolean reset;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    private final Terminal terminal;

    NetworkCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        if (reset && network.given()) {
            throw new CliException("--default replaces the policy with the default one; give it without --allow-out or --deny-out");
        }
        SandboxInfo info;
        try (Perpetua client = api.connect(terminal.env())) {
            Sandbox sandbox = client.sandboxes().handle(id);
            info = reset || network.given() ? sandbox.setNetwork(reset ? NetworkPolicy.DEFAULT : network.policy()) : sandbox.refresh();
        }
        NetworkPolicy policy = info.network();
        if (output.json()) {
            terminal.printJson(JsonViews.network(policy));
            return 0;
        }
        terminal.out().println("allow out: " + (policy.allowOut().isEmpty() ? "-" : String.join(" ", policy.allowOut())));
        terminal.out().println("deny out:  " + (policy.denyOut().isEmpty() ? "- (private ranges only)" : String.join(" ", policy.denyOut())));
        return 0;
    }
}
