package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.SandboxInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox get}: the whole sandbox as the daemon describes it, as indented JSON in either format. */
@Command(name = "get", description = "Prints a sandbox as JSON.")
final class GetCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(paramLabel = "ID", description = "The sandbox.")
    private String id;

    private final Terminal terminal;

    GetCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        SandboxInfo sandbox;
        try (Perpetua client = api.connect(terminal.env())) {
            sandbox = client.sandboxes().get(id).info();
        }
        terminal.printJson(JsonViews.sandbox(sandbox));
        return 0;
    }
}
