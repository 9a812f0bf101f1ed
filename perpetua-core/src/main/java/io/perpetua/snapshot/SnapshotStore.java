package io.perpetua.snapshot;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.SandboxId;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where checkpoint content lives. A snapshot is written into a draft, sealed by
 * {@link #commit} (flushed to disk, checksummed, then made visible atomically), and verified
 * against its checksum by {@link #open} before every restore. A crash at any point leaves
 * either a whole snapshot or a draft that {@link #sweep} removes, never a half snapshot that
 * looks whole.
 */
public interface SnapshotStore {

    /** Starts a new snapshot of {@code sandbox} in a private directory. */
    SnapshotDraft begin(SandboxId sandbox);

    /**
     * Seals {@code draft}: flushes its files to stable storage, checksums them and makes the
     * snapshot visible under its final name.
     *
     * @throws RuntimeFailureException if the content cannot be made durable; the draft is removed
     */
    Snapshot commit(SnapshotDraft draft);

    /**
     * The draft {@code id} of {@code sandbox} as {@link #begin} made it, named again after a
     * restart; its directory may or may not still be there.
     */
    SnapshotDraft draft(SandboxId sandbox, String id);

    /**
     * After a crash, the snapshot {@code draft} was becoming: checksummed again if it had been
     * sealed already; sealed now if it is still a draft whose directory {@code complete} accepts;
     * empty if nothing of it is left or the draft is incomplete (it is left for {@link #sweep}).
     *
     * @throws RuntimeFailureException if it exists but cannot be sealed or read
     */
    Optional<Snapshot> recover(SnapshotDraft draft, Predicate<Path> complete);

    /** Discards a draft that will not be committed. Never fails. */
    void abort(SnapshotDraft draft);

    /**
     * Verifies {@code snapshot} against its recorded size and checksum and returns the local
     * directory holding its content.
     *
     * @throws RuntimeFailureException with code {@code snapshot_corrupt} if it is missing or damaged
     */
    Path open(Snapshot snapshot);

    /** Deletes the content of {@code snapshot}; deleting a missing snapshot does nothing. */
    void delete(Snapshot snapshot);

    /**
     * Removes drafts left by a crash and every snapshot whose id is not in {@code live}.
     *
     * @return the number of entries removed
     */
    int sweep(Set<String> live);
}
