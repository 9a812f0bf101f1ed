package io.perpetua.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code perpetua sandbox standby|hibernate|resume}: one class, as the three differ only in the path they POST to. */
@Command
final class TransitionCommand implements Callable<Integer> {

    enum Transition {
        STANDBY("standby", "Pauses a sandbox; it keeps its memory and resumes quickly."),
        HIBERNATE("hibernate", "Checkpoints a sandbox to disk and frees its memory."),
        RESUME("resume", "Brings a sandbox in standby or hibernation back to running.");

        private final String command;
        private final String description;

        Transition(String command, String description) {
            this.command = command;
            this.description = description;
        }

        String command() {
            return command;
        }
    }

    @Mixin
    private ApiOptions api;

    @Parameters(paramLabel = "ID", description = "The sandbox.")
    private String id;

    private final Terminal terminal;
    private final Transition transition;

    private TransitionCommand(Terminal terminal, Transition transition) {
        this.terminal = terminal;
        this.transition = transition;
    }

    static CommandLine commandLine(Terminal terminal, Transition transition) {
        CommandLine command = new CommandLine(new TransitionCommand(terminal, transition));
        command.getCommandSpec().usageMessage().description(transition.description + " Prints the id and the new state.");
        return command;
    }

    @Override
    public Integer call() {
        JsonNode sandbox;
        try (ApiClient client = api.connect(terminal.env())) {
            sandbox = client.post(ApiClient.sandboxPath(id, "/" + transition.command), null);
        }
        if (api.json()) {
            terminal.printJson(sandbox);
        } else {
            SandboxSummary summary = SandboxSummary.of(sandbox);
            terminal.out().println(summary.id() + " " + summary.state());
        }
        return 0;
    }
}
