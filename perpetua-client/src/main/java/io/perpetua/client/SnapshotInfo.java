package io.perpetua.client;

import java.time.Instant;

/**
 * The last good snapshot of a sandbox, from which it is restored after hibernation or a failure.
 *
 * @param id        the snapshot's id
 * @param createdAt when it was taken
 * @param sizeBytes its size on disk
 */
public record SnapshotInfo(String id, Instant createdAt, long sizeBytes) {

    static SnapshotInfo from(JsonObject json) {
        return new SnapshotInfo(json.string("id"), json.instant("createdAt"), json.integer("sizeBytes"));
    }
}
