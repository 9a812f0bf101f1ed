package io.perpetua.cli;

import io.perpetua.client.Fork;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua sandbox fork}: prints just the copies' ids, one a line, so that
 * {@code IDS=$(perpetua sandbox fork $ID --count 3)} works; the snapshot they were made of is in
 * {@code --output json} and in {@code snapshot list --sandbox ID}.
 */
@Command(name = "fork", description = "Snapshots a sandbox and starts copies of it, with its processes, memory and files; "
        + "prints the copies' ids, one a line.")
final class ForkCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(paramLabel = "ID", description = "The sandbox to copy.")
    private String id;

    @Option(names = "--count", paramLabel = "N", description = "How many copies, 1 to " + Sandbox.MAX_FORKS + " (default: 1).")
    private int count = 1;

    private final Terminal terminal;

    ForkCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Fork fork;
        try (Perpetua client = api.connect(terminal.env())) {
            fork = client.sandboxes().handle(id).fork(count);
        }
        if (output.json()) {
            terminal.printJson(JsonViews.fork(fork));
        } else {
            fork.sandboxes().forEach(copy -> terminal.out().println(copy.id()));
        }
        return 0;
    }
}
