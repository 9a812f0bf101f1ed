package io.perpetua.cli;

import io.perpetua.client.PerpetuaException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code perpetua} command: {@code perpetua server} runs the daemon in the foreground, and
 * {@code perpetua sandbox ...} talks to a running daemon over its REST API.
 *
 * <p>Exit codes: 0 on success, 1 when the daemon reports an error or cannot be reached, 2 on a usage
 * error; {@code perpetua sandbox exec} exits with the code of the command it ran.
 */
@Command(name = "perpetua", version = "perpetua " + PerpetuaCli.VERSION, mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        description = "Perpetual gVisor sandboxes behind a REST API.")
public final class PerpetuaCli {

    static final String VERSION = "0.1.0";

    private PerpetuaCli() {
    }

    /**
     * Runs the command given by {@code args} and exits the JVM with its exit code.
     *
     * @param args for example {@code sandbox create --memory 512}; {@code --help} lists the commands
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /** Runs one command against the given streams and environment and returns its exit code. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        Terminal terminal = new Terminal(in, out, err, env);
        CommandLine cli = new CommandLine(new PerpetuaCli())
                .addSubcommand(new HelpCommand())
                .addSubcommand(ServerCommand.commandLine(terminal))
                .addSubcommand(SandboxCommand.commandLine(terminal))
                .addSubcommand(SnapshotCommand.commandLine(terminal))
                .addSubcommand(TemplateCommand.commandLine(terminal))
                .addSubcommand("volume", VolumeCommand.commandLine(terminal, VolumeCommand.Kind.VOLUME))
                .addSubcommand("drive", VolumeCommand.commandLine(terminal, VolumeCommand.Kind.DRIVE))
                .addSubcommand(KeysCommand.commandLine(terminal))
                .addSubcommand(new UsageCommand(terminal))
                .addSubcommand(CostModelCommand.commandLine(terminal))
                .addSubcommand(new McpCommand(terminal));
        // Settings reach the subcommands only when applied after they are added.
        cli.setOut(writer(out));
        cli.setErr(writer(err));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // "@file" arguments would otherwise be expanded, even inside the command given to exec.
        cli.setExpandAtFiles(false);
        cli.setParameterExceptionHandler(PerpetuaCli::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> switch (e) {
            case PerpetuaException failure -> {
                terminal.fail(failure);
                yield 1;
            }
            case CliException failure -> {
                terminal.fail(failure.getMessage());
                yield 1;
            }
            case UncheckedIOException failure -> {
                terminal.fail(failure.getMessage());
                yield 1;
            }
            // The SDK checks its arguments up front, such as a timeout of 0 s: a usage error.
            case IllegalArgumentException invalid -> {
                terminal.fail(invalid.getMessage());
                yield 2;
            }
            default -> throw e;
        });
        return cli.execute(args);
    }

    /**
     * A usage error: what is wrong, then the command's synopsis and where its help is. Picocli would
     * print the whole help, which for {@code perpetua server} and its two dozen options pushes the
     * message out of sight.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print(command.getHelp().fullSynopsis());
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, stream.charset()), true);
    }
}
