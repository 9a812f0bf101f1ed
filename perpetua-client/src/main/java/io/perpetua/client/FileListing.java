package io.perpetua.client;

import java.util.List;

/**
 * What is below a directory of a sandbox.
 *
 * @param path      the directory listed
 * @param entries   the files and directories below it, in the order the sandbox gave them
 * @param truncated whether entries beyond the daemon's limit were left out
 */
public record FileListing(String path, List<FileInfo> entries, boolean truncated) {

    /** Copies the entries. */
    public FileListing {
        entries = List.copyOf(entries);
    }

    static FileListing from(JsonObject json) {
        return new FileListing(json.string("path"), json.objects("entries").stream().map(FileInfo::from).toList(),
                json.bool("truncated"));
    }
}
