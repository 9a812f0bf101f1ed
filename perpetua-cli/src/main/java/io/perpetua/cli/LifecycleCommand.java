package io.perpetua.cli;

import io.perpetua.client.Lifecycle;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code perpetua sandbox lifecycle}: shows or changes what a sandbox does once idle and the rules
 * that delete it. A part not given keeps its value: {@code --on-idle} alone keeps the rules, and
 * {@code --expire} (or {@code --no-expiry}) replaces every rule, keeping what it does once idle.
 */
@Command(name = "lifecycle", description = "Shows a sandbox's lifecycle (what it does once idle, the rules that delete it, "
        + "when they do), or changes it (without waking the sandbox). --expire replaces every rule; a part not given is kept.")
final class LifecycleCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Mixin
    private LifecycleOptions lifecycle;

    @Option(names = "--no-expiry", description = "Remove every rule: the sandbox lives until deleted.")
    private boolean noExpiry;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Spec
    private CommandSpec command;

    private final Terminal terminal;

    LifecycleCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        if (noExpiry && lifecycle.rulesGiven()) {
            throw new ParameterException(command.commandLine(), "--no-expiry removes every rule; give it without --expire");
        }
        boolean rules = noExpiry || lifecycle.rulesGiven();
        // Checked whole before anything is sent, though only the parts given are.
        Lifecycle asked = lifecycle.lifecycle(lifecycle.onIdle(), noExpiry ? List.of() : lifecycle.rules());
        SandboxInfo info;
        try (Perpetua client = api.connect(terminal.env())) {
            Sandbox sandbox = client.sandboxes().handle(id);
            if (lifecycle.onIdleGiven() && rules) {
                info = sandbox.setLifecycle(asked);
            } else if (lifecycle.onIdleGiven()) {
                info = sandbox.setOnIdle(asked.onIdle());
            } else if (rules) {
                info = sandbox.setExpirationPolicies(asked.expirationPolicies());
            } else {
                info = sandbox.refresh();
            }
        }
        if (output.json()) {
            terminal.printJson(JsonViews.lifecycle(info));
            return 0;
        }
        terminal.out().println("on idle:    " + info.lifecycle().onIdle().apiValue());
        terminal.out().println("expire:     " + LifecycleOptions.describe(info.lifecycle().expirationPolicies()));
        terminal.out().println("expires at: " + (info.expiresAt() == null ? "never" : Table.time(info.expiresAt())));
        return 0;
    }
}
