package io.perpetua.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code perpetua sandbox}: the group of commands that manage sandboxes through the daemon. */
@Command(name = "sandbox", description = "Creates, lists, runs commands in, pauses and deletes sandboxes.")
final class SandboxCommand {

    static CommandLine commandLine(Terminal terminal) {
        CommandLine sandbox = new CommandLine(new SandboxCommand())
                .addSubcommand(new CreateCommand(terminal))
                .addSubcommand(new ListCommand(terminal))
                .addSubcommand(new GetCommand(terminal))
                .addSubcommand(new ExecCommand(terminal));
        for (TransitionCommand.Transition transition : TransitionCommand.Transition.values()) {
            sandbox.addSubcommand(transition.command(), TransitionCommand.commandLine(terminal, transition));
        }
        return sandbox.addSubcommand(new DeleteCommand(terminal));
    }
}
