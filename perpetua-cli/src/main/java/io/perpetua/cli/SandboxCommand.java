package io.perpetua.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code perpetua sandbox}: the group of commands that manage sandboxes through the daemon. */
@Command(name = "sandbox",
        description = "Creates, lists, runs commands in, pauses, forks and deletes sandboxes, and sets when they expire; "
                + "copies and lists their files; "
                + "starts, lists, follows and signals their background processes; mounts drives into them.")
final class SandboxCommand {

    static CommandLine commandLine(Terminal terminal) {
        CommandLine sandbox = new CommandLine(new SandboxCommand())
                .addSubcommand(new CreateCommand(terminal))
                .addSubcommand(new ListCommand(terminal))
                .addSubcommand(new GetCommand(terminal))
                .addSubcommand(new ExecCommand(terminal))
                .addSubcommand(new CpCommand(terminal))
                .addSubcommand(new LsCommand(terminal))
                .addSubcommand(new StartCommand(terminal))
                .addSubcommand(new PsCommand(terminal))
                .addSubcommand(new LogsCommand(terminal))
                .addSubcommand(new KillCommand(terminal))
                .addSubcommand(new ShellCommand(terminal))
                .addSubcommand(new PortForwardCommand(terminal))
                .addSubcommand(new NetworkCommand(terminal))
                .addSubcommand(new MountDriveCommand(terminal))
                .addSubcommand(new LifecycleCommand(terminal))
                .addSubcommand(new ForkCommand(terminal));
        for (TransitionCommand.Transition transition : TransitionCommand.Transition.values()) {
            sandbox.addSubcommand(transition.command(), TransitionCommand.commandLine(terminal, transition));
        }
        return sandbox.addSubcommand(new DeleteCommand(terminal));
    }
}
