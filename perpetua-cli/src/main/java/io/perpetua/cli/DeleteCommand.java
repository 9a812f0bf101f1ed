package io.perpetua.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox delete}: like {@code rm}, goes on past a sandbox it cannot delete and exits 1 at the end. */
@Command(name = "delete", description = "Deletes sandboxes and everything in them.")
final class DeleteCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "The sandboxes.")
    private List<String> ids;

    private final Terminal terminal;

    DeleteCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        return Deletions.deleteEach(terminal, api, output, ids, (client, id) -> client.sandboxes().handle(id).delete());
    }
}
