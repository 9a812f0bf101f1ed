package io.perpetua.snapshot;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot a user asked for: the complete state of a sandbox (memory, processes and a copy of
 * its disk) at one moment, owned by the sandbox's project and kept, immutable, until deleted,
 * whatever becomes of the sandbox. Its content is sealed and checksummed like a hibernation's.
 *
 * @param content what the snapshot store holds: its id, the sandbox it was taken of, size and checksum
 * @param project who owns it
 * @param name    what the user called it, or {@code null}
 */
public record SavedSnapshot(Snapshot content, ProjectId project, String name) {

    /** The longest name a snapshot may have. */
    public static final int MAX_NAME_LENGTH = 100;

    /** Checks that the required parts are present. */
    public SavedSnapshot {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(project, "project");
    }

    /** The snapshot's id, unique across every sandbox and project. */
    public String id() {
        return content.id();
    }

    /** The sandbox it was taken of. */
    public SandboxId source() {
        return content.sandbox();
    }

    /** When it was sealed. */
    public Instant createdAt() {
        return content.createdAt();
    }

    /** Bytes it holds on disk: the checkpoint image and the disk copy's data. */
    public long sizeBytes() {
        return content.sizeBytes();
    }
}
