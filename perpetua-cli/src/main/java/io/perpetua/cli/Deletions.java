package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Deleting several things like {@code rm}: each in turn, going on past one that cannot be
 * deleted (saying why), and exiting 1 at the end if any could not. Prints "deleted X" for each,
 * or, with {@code --output json}, the list of those deleted.
 */
final class Deletions {

    private Deletions() {
    }

    /**
     * @param delete deletes one, by its id or name
     * @return the exit status: 0 if every one was deleted, else 1
     */
    static int deleteEach(Terminal terminal, ApiOptions api, OutputOption output, List<String> names, BiConsumer<Perpetua, String> delete) {
        List<String> deleted = new ArrayList<>();
        try (Perpetua client = api.connect(terminal.env())) {
            for (String name : names) {
                try {
                    delete.accept(client, name);
                } catch (PerpetuaException e) {
                    terminal.fail(e);
                    continue;
                }
                deleted.add(name);
                if (!output.json()) {
                    terminal.out().println("deleted " + name);
                }
            }
        }
        if (output.json()) {
            terminal.printJson(deleted);
        }
        return deleted.size() == names.size() ? 0 : 1;
    }
}
