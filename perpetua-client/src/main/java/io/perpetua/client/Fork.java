package io.perpetua.client;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Sandbox#fork(int)} made: the snapshot taken of the source, and the copies started
 * from it, each a sandbox of its own with the source's processes, memory and files.
 *
 * @param snapshot  the snapshot the copies were made of; kept until deleted, like any other
 * @param sandboxes handles on the copies, running, each holding its info as of the fork
 */
public record Fork(SavedSnapshotInfo snapshot, List<Sandbox> sandboxes) {

    /** Checks that the snapshot is present and copies the list. */
    public Fork {
        Objects.requireNonNull(snapshot, "snapshot");
        sandboxes = List.copyOf(sandboxes);
    }

    static Fork from(Http http, JsonObject json) {
        return new Fork(SavedSnapshotInfo.from(json.object("snapshot")), json.objects("sandboxes").stream()
                .map(SandboxInfo::from)
                .map(info -> Sandbox.of(http, info))
                .toList());
    }
}
