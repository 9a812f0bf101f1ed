package io.perpetua.cli;

import io.perpetua.client.FileInfo;
import io.perpetua.client.FileListing;
import io.perpetua.client.Perpetua;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox ls}: the files below a directory of a sandbox, one line each. */
@Command(name = "ls", description = "Lists the files below a directory of a sandbox.")
final class LsCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1", paramLabel = "PATH", description = "The directory, an absolute path.")
    private String path;

    @Option(names = "--depth", paramLabel = "N", description = "Levels to list: 1 for the directory's own entries (default: 1).")
    private int depth = 1;

    private final Terminal terminal;

    LsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        FileListing listing;
        try (Perpetua client = api.connect(terminal.env())) {
            listing = client.sandboxes().handle(id).files().list(path, depth);
        }
        if (output.json()) {
            terminal.printJson(JsonViews.listing(listing));
            return 0;
        }
        Table table = new Table("TYPE", "SIZE", "MODE", "MODIFIED", "PATH");
        for (FileInfo file : listing.entries()) {
            String name = file.symlinkTarget() == null ? file.path() : file.path() + " -> " + file.symlinkTarget();
            table.row(file.type(), Long.toString(file.sizeBytes()), file.mode(), Table.time(file.modifiedAt()), name);
        }
        terminal.out().print(table.render());
        if (listing.truncated()) {
            terminal.fail("there are more entries than the daemon lists at once; list a directory further down or a smaller --depth");
        }
        return 0;
    }
}
