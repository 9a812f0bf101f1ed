package io.perpetua.store;

import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Instant;
import java.util.Objects;

/**
 * A multi-step operation on a sandbox that has begun and not ended: written to the store before
 * its first step and removed after its last, so that a restart after a crash in between knows
 * to finish it (or undo it) instead of guessing from what it finds.
 *
 * @param sandbox    the sandbox it works on
 * @param kind       what it does
 * @param from       the sandbox's state when it began
 * @param snapshotId the snapshot it writes (a hibernation's or a saved snapshot's draft) or puts back
 *                   (a rollback's saved snapshot); {@code null} for a deletion
 * @param startedAt  when it began; a deletion is billed until then
 */
public record PendingOperation(SandboxId sandbox, Kind kind, SandboxState from, String snapshotId, Instant startedAt) {

    /** The operations that record themselves. */
    public enum Kind {
        /** A checkpoint into snapshot {@code snapshotId}, which then replaces the sandbox's previous one. */
        HIBERNATE,
        /** A saved snapshot's checkpoint into draft {@code snapshotId}, after which the sandbox runs on. */
        SNAPSHOT,
        /** The sandbox put back to saved snapshot {@code snapshotId}: container, disk and memory. */
        ROLLBACK,
        /** The removal of everything of the sandbox. */
        DELETE
    }

    /** Checks that the required parts are present. */
    public PendingOperation {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(startedAt, "startedAt");
        if (kind != Kind.DELETE && snapshotId == null) {
            throw new IllegalArgumentException("a " + kind.name().toLowerCase() + " names its snapshot");
        }
    }
}
