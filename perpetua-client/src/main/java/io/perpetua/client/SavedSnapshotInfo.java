package io.perpetua.client;

import java.time.Instant;

/**
 * A snapshot saved on request ({@link Sandbox#snapshot()}): the complete state of a sandbox
 * (memory, processes and a copy of its disk) at one moment. It belongs to the sandbox's project
 * and is kept, unchanged, until deleted, whatever becomes of the sandbox. Not to be confused with
 * {@link SnapshotInfo}, the checkpoint a sandbox hibernates to.
 *
 * @param id        the snapshot's id, unique across every sandbox and project
 * @param name      what it was called when taken, or null
 * @param sandboxId the sandbox it was taken of, which may no longer exist
 * @param project   the project that owns it
 * @param createdAt when it was sealed
 * @param sizeBytes bytes it holds: the checkpoint image and the data of its disk copy
 */
public record SavedSnapshotInfo(String id, String name, String sandboxId, String project, Instant createdAt, long sizeBytes) {

    /** The longest name a snapshot may have, in UTF-16 characters. */
    public static final int MAX_NAME_LENGTH = 100;

    static SavedSnapshotInfo from(JsonObject json) {
        return new SavedSnapshotInfo(json.string("id"), json.optionalString("name"), json.string("sandboxId"),
                json.string("project"), json.instant("createdAt"), json.integer("sizeBytes"));
    }
}
