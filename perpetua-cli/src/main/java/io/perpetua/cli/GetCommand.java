package io.perpetua.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code perpetua sandbox get}: the whole sandbox as the daemon describes it, as pretty JSON in either format. */
@Command(name = "get", description = "Prints a sandbox as JSON.")
final class GetCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Parameters(paramLabel = "ID", description = "The sandbox.")
    private String id;

    private final Terminal terminal;

    GetCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        JsonNode sandbox;
        try (ApiClient client = api.connect(terminal.env())) {
            sandbox = client.get(ApiClient.sandboxPath(id, ""));
        }
        terminal.printJson(sandbox);
        return 0;
    }
}
