package io.perpetua.snapshot.local;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.id.RandomIds;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import io.perpetua.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as directories on the local disk:
 * <pre>
 *   drafts/&lt;snapshot id&gt;/              being written; never read, removed by {@link #sweep}
 *   &lt;sandbox id&gt;/&lt;snapshot id&gt;/         sealed: renamed here only after fsync and checksum
 * </pre>
 * The rename is atomic within one file system, so a crash leaves either a sealed snapshot
 * or a draft, never a half snapshot under a final name.
 */
public final class LocalSnapshotStore implements SnapshotStore {

    private static final Logger log = LoggerFactory.getLogger(LocalSnapshotStore.class);

    private final Path root;
    private final Path drafts;
    private final Clock clock;

    /**
     * @param root  the directory holding every snapshot; created if missing
     * @param clock the clock snapshots are dated by
     */
    public LocalSnapshotStore(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.drafts = this.root.resolve("drafts");
        this.clock = clock;
        try {
            Files.createDirectories(drafts);
        } catch (IOException e) {
            throw new RuntimeFailureException("snapshot_failure", "cannot create snapshot directory " + drafts + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SnapshotDraft begin(SandboxId sandbox) {
        String id = RandomIds.next("sn", 14);
        Path directory = drafts.resolve(id);
        try {
            Files.createDirectory(directory);
        } catch (IOException e) {
            throw new RuntimeFailureException("snapshot_failure", "cannot create snapshot draft " + directory + ": " + e.getMessage(), e);
        }
        return new SnapshotDraft(id, sandbox, directory);
    }

    @Override
    public Snapshot commit(SnapshotDraft draft) {
        try {
            Checksum.Summary summary = Checksum.of(draft.directory());
            if (summary.files() == 0) {
                throw new IOException("the draft holds no files");
            }
            syncTree(draft.directory());
            CrashPoint.SNAPSHOT_SYNCED.reach();
            Path target = location(draft.sandbox(), draft.id());
            Files.createDirectories(target.getParent());
            Files.move(draft.directory(), target, StandardCopyOption.ATOMIC_MOVE);
            sync(target.getParent());
            sync(drafts);
            return new Snapshot(draft.id(), draft.sandbox(), now(), summary.bytes(), summary.checksum());
        } catch (IOException e) {
            abort(draft);
            throw new RuntimeFailureException("snapshot_failure", "cannot seal snapshot " + draft.id() + " of sandbox "
                    + draft.sandbox() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SnapshotDraft draft(SandboxId sandbox, String id) {
        return new SnapshotDraft(id, sandbox, drafts.resolve(id));
    }

    @Override
    public Optional<Snapshot> recover(SnapshotDraft draft, Predicate<Path> complete) {
        Path sealed = location(draft.sandbox(), draft.id());
        if (Files.isDirectory(sealed)) {
            try {
                Checksum.Summary summary = Checksum.of(sealed);
                return Optional.of(new Snapshot(draft.id(), draft.sandbox(), now(), summary.bytes(), summary.checksum()));
            } catch (IOException e) {
                throw new RuntimeFailureException("snapshot_failure", "cannot read sealed snapshot " + sealed + ": " + e.getMessage(), e);
            }
        }
        return Files.isDirectory(draft.directory()) && complete.test(draft.directory()) ? Optional.of(commit(draft)) : Optional.empty();
    }

    @Override
    public void abort(SnapshotDraft draft) {
        deleteTree(draft.directory());
    }

    @Override
    public Path open(Snapshot snapshot) {
        Path directory = location(snapshot.sandbox(), snapshot.id());
        if (!Files.isDirectory(directory)) {
            throw corrupt(snapshot, "its directory " + directory + " is missing");
        }
        Checksum.Summary summary;
        try {
            // By the algorithm it was sealed with: snapshots sealed before crc32c-blocks record crc32c.
            summary = Checksum.like(snapshot.checksum(), directory);
        } catch (IOException e) {
            throw corrupt(snapshot, "it cannot be verified: " + e.getMessage());
        }
        if (summary.bytes() != snapshot.sizeBytes() || !summary.checksum().equals(snapshot.checksum())) {
            throw corrupt(snapshot, "its content (" + summary.bytes() + " bytes, " + summary.checksum()
                    + ") does not match the record (" + snapshot.sizeBytes() + " bytes, " + snapshot.checksum() + ")");
        }
        return directory;
    }

    @Override
    public void delete(Snapshot snapshot) {
        deleteTree(location(snapshot.sandbox(), snapshot.id()));
        Path sandboxDirectory = root.resolve(snapshot.sandbox().value());
        try {
            Files.deleteIfExists(sandboxDirectory);
        } catch (IOException e) {
            // Another snapshot of the sandbox is still there.
        }
    }

    @Override
    public int sweep(Set<String> live) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                if (entry.equals(drafts)) {
                    removed += deleteChildren(drafts, Set.of());
                } else if (Files.isDirectory(entry) && SandboxId.isValid(entry.getFileName().toString())) {
                    removed += deleteChildren(entry, live);
                    deleteIfEmpty(entry);
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("snapshot_failure", "cannot sweep " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /** Snapshots are dated to the microsecond, as the store keeps times, so a snapshot reads the same wherever it is read. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Where a sealed snapshot lives; visible to tests that damage one on purpose. */
    public Path location(SandboxId sandbox, String snapshotId) {
        return root.resolve(sandbox.value()).resolve(snapshotId);
    }

    private int deleteChildren(Path directory, Set<String> keep) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                if (!keep.contains(child.getFileName().toString())) {
                    log.info("removing stale snapshot content {}", child);
                    deleteTree(child);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static void deleteIfEmpty(Path directory) {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // Not empty: it holds a live snapshot.
        }
    }

    private static void syncTree(Path directory) throws IOException {
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                sync(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                sync(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** fsync of a file or a directory (a directory's entries are made durable by syncing it). */
    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete snapshot content {}", directory, e);
        }
    }

    private static RuntimeFailureException corrupt(Snapshot snapshot, String why) {
        return new RuntimeFailureException("snapshot_corrupt", "snapshot " + snapshot.id() + " of sandbox " + snapshot.sandbox()
                + " is unusable: " + why, null);
    }
}
