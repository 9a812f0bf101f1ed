package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox kill}: sends a signal to a background process's whole process group. */
@Command(name = "kill", description = "Sends a signal to a background process of a sandbox.")
final class KillCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1", paramLabel = "PROCESS_ID", description = "The process, as start or ps shows it.")
    private String processId;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL",
            description = "TERM, KILL, INT, HUP ... or a number (default: TERM).")
    private String signal = "TERM";

    private final Terminal terminal;

    KillCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Perpetua client = api.connect(terminal.env())) {
            client.sandboxes().handle(id).processes().handle(processId).signal(signal);
        }
        return 0;
    }
}
