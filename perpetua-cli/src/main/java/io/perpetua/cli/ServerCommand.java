package io.perpetua.cli;

import io.perpetua.server.Main;
import io.perpetua.server.ServerConfig;
import io.perpetua.server.ServerOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code perpetua server}: the daemon in the foreground, with the options of {@link ServerOptions}. */
@Command(name = "server", sortOptions = false,
        customSynopsis = "perpetua server [-hV] [--OPTION=VALUE]...",
        description = {
                "Runs the daemon in the foreground until it is stopped (Ctrl-C or SIGTERM).",
                "Each option can also be set with the environment variable shown under it;",
                "the option wins over the variable, and the variable over the default.",
                ""
        },
        footer = {
                "",
                "TIME is 500ms, 15s, 10m, 2h, 1d or plain seconds; SIZE is bytes, or 512k, 512m, 2g, 1t."
        })
final class ServerCommand implements Callable<Integer> {

    @Mixin
    private final ServerOptions options;

    private ServerCommand(Terminal terminal) {
        this.options = new ServerOptions(terminal.env());
    }

    /** The command, its options' defaults taken from {@code terminal}'s environment. */
    static CommandLine commandLine(Terminal terminal) {
        ServerCommand command = new ServerCommand(terminal);
        return command.options.applyTo(new CommandLine(command));
    }

    @Override
    public Integer call() {
        ServerConfig config = options.toConfig();
        try {
            Main.run(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while running the daemon on port " + config.port(), e);
        }
        return 0;
    }
}
