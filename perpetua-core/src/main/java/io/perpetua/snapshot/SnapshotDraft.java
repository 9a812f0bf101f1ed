package io.perpetua.snapshot;

import io.perpetua.sandbox.SandboxId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A snapshot being written: a private directory that becomes a {@link Snapshot} only when
 * {@link SnapshotStore#commit committed}. Until then nothing treats it as whole.
 *
 * @param id        the id the snapshot will have
 * @param sandbox   the sandbox it is taken of
 * @param directory where the runtime writes the checkpoint's files
 */
public record SnapshotDraft(String id, SandboxId sandbox, Path directory) {

    /** Checks that every part is present. */
    public SnapshotDraft {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(directory, "directory");
    }
}
