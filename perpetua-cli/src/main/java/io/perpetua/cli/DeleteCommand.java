package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import java.util.ArrayList;
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
        List<String> deleted = new ArrayList<>();
        try (Perpetua client = api.connect(terminal.env())) {
            for (String id : ids) {
                if (delete(client, id)) {
                    deleted.add(id);
                }
            }
        }
        if (output.json()) {
            terminal.printJson(deleted);
        }
        return deleted.size() == ids.size() ? 0 : 1;
    }

    private boolean delete(Perpetua client, String id) {
        try {
            client.sandboxes().handle(id).delete();
        } catch (PerpetuaException e) {
            terminal.fail(e);
            return false;
        }
        if (!output.json()) {
            terminal.out().println("deleted " + id);
        }
        return true;
    }
}
