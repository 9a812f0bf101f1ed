package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox standby|reclaim|hibernate|resume}: one class, as they differ only in the call they make. */
@Command
final class TransitionCommand implements Callable<Integer> {

    enum Transition {
        STANDBY("standby", "Pauses a sandbox; it keeps its memory and resumes quickly.", Sandbox::standby),
        RECLAIM("reclaim", "Gives a sandbox's memory back to the host; it stays frozen and wakes by thawing.", Sandbox::reclaim),
        HIBERNATE("hibernate", "Checkpoints a sandbox to disk and frees its memory.", Sandbox::hibernate),
        RESUME("resume", "Brings a sandbox in standby or hibernation back to running.", Sandbox::resume);

        private final String command;
        private final String description;
        private final Function<Sandbox, SandboxInfo> call;

        Transition(String command, String description, Function<Sandbox, SandboxInfo> call) {
            this.command = command;
            this.description = description;
            this.call = call;
        }

        String command() {
            return command;
        }
    }

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

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
        SandboxInfo sandbox;
        try (Perpetua client = api.connect(terminal.env())) {
            sandbox = transition.call.apply(client.sandboxes().handle(id));
        }
        if (output.json()) {
            terminal.printJson(JsonViews.sandbox(sandbox));
        } else {
            terminal.out().println(sandbox.id() + " " + sandbox.state());
        }
        return 0;
    }
}
