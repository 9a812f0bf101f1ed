package io.perpetua.lifecycle;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import io.perpetua.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshots as directories under a temporary root: {@code drafts/<id>} while written,
 * {@code sealed/<id>} once committed. Content is checksummed on commit and verified on open.
 */
final class DirectorySnapshotStore implements SnapshotStore {

    private final Path drafts;
    private final Path sealed;
    private final Clock clock;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean failNextCommit;

    DirectorySnapshotStore(Path root, Clock clock) {
        this.drafts = root.resolve("drafts");
        this.sealed = root.resolve("sealed");
        this.clock = clock;
        try {
            Files.createDirectories(drafts);
            Files.createDirectories(sealed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next commit fails as if the disk were full; the draft is removed. */
    void failNextCommit() {
        failNextCommit = true;
    }

    /** Ids of the sealed snapshots on disk. */
    Set<String> sealedIds() {
        return names(sealed);
    }

    /** Ids of the drafts on disk. */
    Set<String> draftIds() {
        return names(drafts);
    }

    /** Seals a snapshot of {@code sandbox} whose image holds {@code memory}, as a checkpoint would. */
    Snapshot seal(SandboxId sandbox, long memory) {
        SnapshotDraft draft = begin(sandbox);
        FakeRuntime.writeImage(draft.directory(), memory);
        return commit(draft);
    }

    /** Leaves a draft behind, as a crash during a checkpoint would. */
    SnapshotDraft leaveDraft(SandboxId sandbox) {
        SnapshotDraft draft = begin(sandbox);
        FakeRuntime.writeImage(draft.directory(), 0);
        return draft;
    }

    /** Flips a byte of the snapshot's image, as a bad disk would. */
    void damage(Snapshot snapshot) {
        Path image = sealed.resolve(snapshot.id()).resolve(FakeRuntime.MEMORY_FILE);
        try {
            byte[] bytes = Files.readAllBytes(image);
            bytes[0] ^= 0x01;
            Files.write(image, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SnapshotDraft begin(SandboxId sandbox) {
        String id = String.format("sn%06d", ids.incrementAndGet());
        Path directory = drafts.resolve(id);
        try {
            Files.createDirectory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SnapshotDraft(id, sandbox, directory);
    }

    @Override
    public Snapshot commit(SnapshotDraft draft) {
        try {
            List<Path> files = files(draft.directory());
            if (failNextCommit || files.isEmpty()) {
                failNextCommit = false;
                throw new IOException(files.isEmpty() ? "the draft holds no files" : "no space left on device (as told)");
            }
            long size = 0;
            for (Path file : files) {
                size += Files.size(file);
            }
            String checksum = checksum(draft.directory());
            Files.move(draft.directory(), sealed.resolve(draft.id()));
            return new Snapshot(draft.id(), draft.sandbox(), clock.instant(), size, checksum);
        } catch (IOException e) {
            abort(draft);
            throw new RuntimeFailureException("snapshot_failure", "cannot seal " + draft.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SnapshotDraft draft(SandboxId sandbox, String id) {
        return new SnapshotDraft(id, sandbox, drafts.resolve(id));
    }

    @Override
    public Optional<Snapshot> recover(SnapshotDraft draft, Predicate<Path> complete) {
        Path directory = sealed.resolve(draft.id());
        if (!Files.isDirectory(directory)) {
            return Files.isDirectory(draft.directory()) && complete.test(draft.directory()) ? Optional.of(commit(draft)) : Optional.empty();
        }
        try {
            long size = 0;
            for (Path file : files(directory)) {
                size += Files.size(file);
            }
            return Optional.of(new Snapshot(draft.id(), draft.sandbox(), clock.instant(), size, checksum(directory)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void abort(SnapshotDraft draft) {
        deleteTree(draft.directory());
    }

    @Override
    public Path open(Snapshot snapshot) {
        Path directory = sealed.resolve(snapshot.id());
        try {
            if (Files.isDirectory(directory) && checksum(directory).equals(snapshot.checksum())) {
                return directory;
            }
        } catch (IOException e) {
            // reported as corrupt below
        }
        throw new RuntimeFailureException("snapshot_corrupt", "snapshot " + snapshot.id() + " is missing or damaged", null);
    }

    @Override
    public void delete(Snapshot snapshot) {
        deleteTree(sealed.resolve(snapshot.id()));
    }

    @Override
    public int sweep(Set<String> live) {
        int removed = 0;
        for (String id : draftIds()) {
            deleteTree(drafts.resolve(id));
            removed++;
        }
        for (String id : sealedIds()) {
            if (!live.contains(id)) {
                deleteTree(sealed.resolve(id));
                removed++;
            }
        }
        return removed;
    }

    private static String checksum(Path directory) throws IOException {
        CRC32C crc = new CRC32C();
        for (Path file : files(directory)) {
            crc.update(directory.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            crc.update(Files.readAllBytes(file));
        }
        return String.format("crc32c:%08x", crc.getValue());
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Set<String> names(Path directory) {
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
