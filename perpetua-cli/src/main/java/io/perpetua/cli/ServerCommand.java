package io.perpetua.cli;

import io.perpetua.server.Main;
import io.perpetua.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code perpetua server}: the daemon in the foreground. Its options belong to {@link ServerConfig}, which parses them. */
@Command(name = "server",
        customSynopsis = "perpetua server [-hV] [--OPTION VALUE]...",
        description = "Runs the daemon in the foreground until it is stopped (Ctrl-C or SIGTERM).",
        footer = {
                "",
                "Server options, as --name VALUE or --name=VALUE. Each can also be set with",
                "an environment variable such as PERPETUA_PORT or PERPETUA_DATA_DIR; an option",
                "wins over its variable.",
                "  --host ADDRESS          address to listen on (default: 127.0.0.1)",
                "  --port PORT             port to listen on (default: 7777)",
                "  --data-dir DIR          store, snapshots and sandbox files",
                "                          (default: ~/.perpetua)",
                "  --idle-timeout TIME     idle time before a sandbox goes to standby",
                "                          (default: 15s)",
                "  --hibernate-after TIME  time in standby before it is checkpointed to disk",
                "                          (default: 10m)",
                "  --platform NAME         runsc platform: ptrace, kvm or systrap",
                "                          (default: ptrace)",
                "  --runsc PROGRAM         the runsc program (default: runsc)",
                "  --cgroup-parent NAME    cgroup under which each sandbox gets its own",
                "                          (default: perpetua)",
                "  --min-available-memory SIZE",
                "                          hibernate standby sandboxes when the host has less",
                "                          memory available, e.g. 2g or 15%% (default: 10%%)",
                "  --tick-interval TIME    how often idle timers are checked (default: 250ms)",
                "  --warm-pool N           sandboxes of the default shape kept started and",
                "                          frozen, so creating one is a thaw (default: 2)",
                "",
                "TIME is 500ms, 15s, 10m, 2h, 1d or plain seconds."
        })
final class ServerCommand implements Callable<Integer> {

    @Unmatched
    private List<String> options = new ArrayList<>();

    private final Terminal terminal;

    ServerCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        ServerConfig config;
        try {
            config = ServerConfig.parse(options, terminal.env());
        } catch (IllegalArgumentException e) {
            terminal.err().println("perpetua server: " + e.getMessage());
            return 2;
        }
        try {
            Main.run(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while running the daemon on port " + config.port(), e);
        }
        return 0;
    }
}
