package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SavedSnapshotInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua snapshot}: saves a sandbox's complete state, lists, shows and deletes the saved
 * snapshots, and rolls a sandbox back to one. Copies are made with {@code sandbox fork} and
 * {@code sandbox create --snapshot}.
 */
@Command(name = "snapshot",
        description = "Saves sandboxes' complete state (memory, processes, files) as snapshots; lists, shows and deletes them; "
                + "rolls a sandbox back to one. Copies: 'sandbox fork' and 'sandbox create --snapshot'.")
final class SnapshotCommand {

    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new SnapshotCommand())
                .addSubcommand(new Create(terminal))
                .addSubcommand(new ListSnapshots(terminal))
                .addSubcommand(new Get(terminal))
                .addSubcommand(new Delete(terminal))
                .addSubcommand(new Restore(terminal));
    }

    /** The snapshots as a table, or as a JSON array. */
    private static void print(Terminal terminal, OutputOption output, List<SavedSnapshotInfo> snapshots) {
        if (output.json()) {
            terminal.printJson(snapshots.stream().map(JsonViews::savedSnapshot).toList());
            return;
        }
        Table table = new Table("ID", "NAME", "SANDBOX", "CREATED", "SIZE");
        for (SavedSnapshotInfo snapshot : snapshots) {
            table.row(snapshot.id(), snapshot.name(), snapshot.sandboxId(), Table.time(snapshot.createdAt()),
                    Long.toString(snapshot.sizeBytes()));
        }
        terminal.out().print(table.render());
    }

    @Command(name = "create", description = "Saves a sandbox's complete state as a snapshot and prints the snapshot's id; "
            + "the sandbox runs on.")
    static final class Create implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "SANDBOX", description = "The sandbox to save.")
        private String sandbox;

        @Option(names = "--name", paramLabel = "NAME", description = "What to call the snapshot (1 to 100 characters).")
        private String name;

        private final Terminal terminal;

        Create(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            SavedSnapshotInfo saved;
            try (Perpetua client = api.connect(terminal.env())) {
                Sandbox handle = client.sandboxes().handle(sandbox);
                saved = name == null ? handle.snapshot() : handle.snapshot(name);
            }
            if (output.json()) {
                terminal.printJson(JsonViews.savedSnapshot(saved));
            } else {
                terminal.out().println(saved.id());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "Lists the project's snapshots, or those of one sandbox, oldest first.")
    static final class ListSnapshots implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Option(names = "--sandbox", paramLabel = "ID", description = "Only the snapshots taken of this sandbox.")
        private String sandbox;

        private final Terminal terminal;

        ListSnapshots(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            List<SavedSnapshotInfo> snapshots;
            try (Perpetua client = api.connect(terminal.env())) {
                snapshots = sandbox == null ? client.snapshots().list() : client.sandboxes().handle(sandbox).snapshots();
            }
            print(terminal, output, snapshots);
            return 0;
        }
    }

    @Command(name = "get", description = "Shows a snapshot.")
    static final class Get implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "ID", description = "The snapshot.")
        private String id;

        private final Terminal terminal;

        Get(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            SavedSnapshotInfo snapshot;
            try (Perpetua client = api.connect(terminal.env())) {
                snapshot = client.snapshots().get(id);
            }
            if (output.json()) {
                terminal.printJson(JsonViews.savedSnapshot(snapshot));
            } else {
                print(terminal, output, List.of(snapshot));
            }
            return 0;
        }
    }

    /** Like {@code rm}: goes on past a snapshot it cannot delete and exits 1 at the end. */
    @Command(name = "delete", description = "Deletes snapshots and their content; sandboxes made from them are not affected.")
    static final class Delete implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "The snapshots.")
        private List<String> ids;

        private final Terminal terminal;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            return Deletions.deleteEach(terminal, api, output, ids, (client, id) -> client.snapshots().delete(id));
        }
    }

    @Command(name = "restore", description = "Puts a sandbox back to one of its snapshots: processes, memory and files "
            + "as they were then. Prints the id and the new state.")
    static final class Restore implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(index = "0", paramLabel = "SANDBOX", description = "The sandbox.")
        private String sandbox;

        @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "A snapshot taken of it.")
        private String snapshot;

        private final Terminal terminal;

        Restore(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            SandboxInfo restored;
            try (Perpetua client = api.connect(terminal.env())) {
                restored = client.sandboxes().handle(sandbox).restore(snapshot);
            }
            if (output.json()) {
                terminal.printJson(JsonViews.sandbox(restored));
            } else {
                terminal.out().println(restored.id() + " " + restored.state());
            }
            return 0;
        }
    }
}
