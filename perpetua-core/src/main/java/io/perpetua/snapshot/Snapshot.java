package io.perpetua.snapshot;

import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.Objects;

/**
 * A sealed, checksummed checkpoint of a sandbox, as recorded in the store.
 *
 * @param id        unique name of the snapshot
 * @param sandbox   the sandbox it was taken of
 * @param createdAt when it was sealed
 * @param sizeBytes bytes of content it holds: for a sparse file (a disk copy) only its data, not its holes
 * @param checksum  checksum of its content, {@code <algorithm>:<hex>}, verified before every use
 */
public record Snapshot(String id, SandboxId sandbox, Instant createdAt, long sizeBytes, String checksum) {

    /** Checks that every part is present and the size is not negative. */
    public Snapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(checksum, "checksum");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative but was " + sizeBytes);
        }
    }
}
