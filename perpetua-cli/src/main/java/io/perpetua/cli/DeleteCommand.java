package io.perpetua.cli;

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

    @Parameters(arity = "1..*", paramLabel = "ID", description = "The sandboxes.")
    private List<String> ids;

    private final Terminal terminal;

    DeleteCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        List<String> deleted = new ArrayList<>();
        try (ApiClient client = api.connect(terminal.env())) {
            for (String id : ids) {
                if (delete(client, id)) {
                    deleted.add(id);
                }
            }
        }
        if (api.json()) {
            terminal.printJson(ApiClient.JSON.valueToTree(deleted));
        }
        return deleted.size() == ids.size() ? 0 : 1;
    }

    private boolean delete(ApiClient client, String id) {
        try {
            client.delete(ApiClient.sandboxPath(id, ""));
        } catch (CliException e) {
            terminal.fail(e.getMessage());
            return false;
        }
        if (!api.json()) {
            terminal.out().println("deleted " + id);
        }
        return true;
    }
}
