package io.perpetua.snapshot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSnapshotStoreTest {

    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private static final byte[] PAGES = pages(64 * 1024 + 17);
    private static final byte[] STATE = "{\"pid\":1}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path directory;

    private Path root;
    private LocalSnapshotStore store;
    private final SandboxId sandbox = SandboxId.random();

    @BeforeEach
    void open() {
        root = directory.resolve("snapshots");
        store = new LocalSnapshotStore(root, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static byte[] pages(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    /** A sealed snapshot of {@code of} holding {@code pages.img} and {@code meta/state.json}. */
    private Snapshot committed(SandboxId of) {
        SnapshotDraft draft = store.begin(of);
        write(draft.directory().resolve("pages.img"), PAGES);
        write(draft.directory().resolve("meta").resolve("state.json"), STATE);
        return store.commit(draft);
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertCorrupt(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RuntimeFailureException.class,
                e -> assertThat(e.code()).isEqualTo("snapshot_corrupt"));
    }

    private static long entries(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.count();
        }
    }

    private static byte[] bigEndian(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** The record a snapshot sealed by the first algorithm, {@code crc32c} over every byte, would have. */
    private static Snapshot sealedTheOldWay(Snapshot snapshot) {
        CRC32C crc = new CRC32C();
        crc.update("meta/state.json".getBytes(StandardCharsets.UTF_8));
        crc.update(STATE);
        crc.update("pages.img".getBytes(StandardCharsets.UTF_8));
        crc.update(PAGES);
        return new Snapshot(snapshot.id(), snapshot.sandbox(), snapshot.createdAt(), PAGES.length + STATE.length,
                String.format("crc32c:%08x", crc.getValue()));
    }

    @Test
    void commitSealsTheDraftWithItsSizeAndBlockChecksum() {
        SnapshotDraft draft = store.begin(sandbox);
        write(draft.directory().resolve("pages.img"), PAGES);
        write(draft.directory().resolve("meta").resolve("state.json"), STATE);

        Snapshot snapshot = store.commit(draft);

        CRC32C expected = new CRC32C();
        expected.update("meta/state.json".getBytes(StandardCharsets.UTF_8));
        expected.update(bigEndian(STATE.length));
        expected.update(bigEndian(0));
        expected.update(STATE);
        expected.update("pages.img".getBytes(StandardCharsets.UTF_8));
        expected.update(bigEndian(PAGES.length));
        for (int offset = 0; offset < PAGES.length; offset += 4096) {
            expected.update(bigEndian(offset));
            expected.update(PAGES, offset, Math.min(4096, PAGES.length - offset));
        }
        assertThat(snapshot).isEqualTo(new Snapshot(draft.id(), sandbox, NOW, PAGES.length + STATE.length,
                String.format("crc32c-blocks:%08x", expected.getValue())));
        assertThat(draft.directory()).doesNotExist();
        assertThat(store.location(sandbox, snapshot.id()).resolve("pages.img")).hasBinaryContent(PAGES);
    }

    @Test
    void aSparseDiskImageOfTenGibibytesIsSealedAndOpenedByItsData() throws IOException {
        SnapshotDraft draft = store.begin(sandbox);
        SparseFile image = SparseFile.create(draft.directory().resolve("disk.img"), 10L << 30);
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] chunk = new byte[1 << 20];
            random.nextBytes(chunk);
            image.write(i * (512L << 20) + i * 4096L, chunk);
        }
        write(draft.directory().resolve("meta").resolve("state.json"), STATE);

        Snapshot snapshot = store.commit(draft);

        assertThat(snapshot.sizeBytes()).isEqualTo((20L << 20) + STATE.length);
        assertThat(snapshot.checksum()).startsWith("crc32c-blocks:");
        assertThat(store.open(snapshot).resolve("disk.img")).hasSize(10L << 30);
    }

    @Test
    void aSnapshotSealedWithTheOldWholeContentChecksumStillOpens() {
        Snapshot old = sealedTheOldWay(committed(sandbox));

        assertThat(store.open(old)).isEqualTo(store.location(sandbox, old.id()));
    }

    @Test
    void aDamagedSnapshotSealedWithTheOldChecksumIsCorrupt() throws IOException {
        Snapshot old = sealedTheOldWay(committed(sandbox));
        Path pages = store.location(sandbox, old.id()).resolve("pages.img");
        byte[] damaged = Files.readAllBytes(pages);
        damaged[damaged.length / 2] ^= 0x10;
        Files.write(pages, damaged);

        assertCorrupt(() -> store.open(old));
    }

    @Test
    void aSnapshotWhoseChecksumNamesNoKnownAlgorithmIsCorrupt() {
        Snapshot snapshot = committed(sandbox);
        Snapshot unknown = new Snapshot(snapshot.id(), sandbox, NOW, snapshot.sizeBytes(), "sha256:" + snapshot.checksum());

        assertCorrupt(() -> store.open(unknown));
    }

    @Test
    void eachDraftGetsItsOwnDirectory() {
        SnapshotDraft first = store.begin(sandbox);
        SnapshotDraft second = store.begin(sandbox);

        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(first.directory()).isDirectory().isEmptyDirectory();
        assertThat(second.directory()).isDirectory().isNotEqualTo(first.directory());
        assertThat(first.sandbox()).isEqualTo(sandbox);
    }

    @Test
    void openVerifiesAndReturnsTheSealedDirectory() {
        Snapshot snapshot = committed(sandbox);

        Path opened = store.open(snapshot);

        assertThat(opened).isEqualTo(store.location(sandbox, snapshot.id()));
        assertThat(opened.resolve("pages.img")).hasBinaryContent(PAGES);
        assertThat(opened.resolve("meta").resolve("state.json")).hasBinaryContent(STATE);
    }

    @Test
    void oneFlippedByteMakesTheSnapshotCorrupt() throws IOException {
        Snapshot snapshot = committed(sandbox);
        Path pages = store.location(sandbox, snapshot.id()).resolve("pages.img");
        byte[] damaged = Files.readAllBytes(pages);
        damaged[damaged.length / 2] ^= 0x10;
        Files.write(pages, damaged);

        assertCorrupt(() -> store.open(snapshot));
    }

    @Test
    void aTruncatedFileMakesTheSnapshotCorrupt() throws IOException {
        Snapshot snapshot = committed(sandbox);
        Path pages = store.location(sandbox, snapshot.id()).resolve("pages.img");
        try (var channel = Files.newByteChannel(pages, StandardOpenOption.WRITE)) {
            channel.truncate(PAGES.length - 1);
        }

        assertCorrupt(() -> store.open(snapshot));
    }

    @Test
    void aDeletedFileMakesTheSnapshotCorrupt() throws IOException {
        Snapshot snapshot = committed(sandbox);
        Files.delete(store.location(sandbox, snapshot.id()).resolve("meta").resolve("state.json"));

        assertCorrupt(() -> store.open(snapshot));
    }

    @Test
    void aRenamedFileMakesTheSnapshotCorrupt() throws IOException {
        Snapshot snapshot = committed(sandbox);
        Path sealed = store.location(sandbox, snapshot.id());
        Files.move(sealed.resolve("pages.img"), sealed.resolve("pages.old"));

        assertCorrupt(() -> store.open(snapshot));
    }

    @Test
    void aMissingSnapshotIsCorrupt() {
        Snapshot snapshot = committed(sandbox);
        store.delete(snapshot);

        assertCorrupt(() -> store.open(snapshot));
    }

    @Test
    void anEmptyDraftCannotBeCommittedAndIsRemoved() {
        SnapshotDraft draft = store.begin(sandbox);

        assertThatThrownBy(() -> store.commit(draft))
                .isInstanceOfSatisfying(RuntimeFailureException.class, e -> assertThat(e.code()).isEqualTo("snapshot_failure"));

        assertThat(draft.directory()).doesNotExist();
        assertThat(store.location(sandbox, draft.id())).doesNotExist();
    }

    @Test
    void abortRemovesTheDraft() {
        SnapshotDraft draft = store.begin(sandbox);
        write(draft.directory().resolve("pages.img"), PAGES);

        store.abort(draft);

        assertThat(draft.directory()).doesNotExist();
        assertThatCode(() -> store.abort(draft)).doesNotThrowAnyException();
    }

    @Test
    void sweepRemovesLeftoverDraftsAndSnapshotsThatAreNotLive() throws IOException {
        SandboxId other = SandboxId.random();
        Snapshot live = committed(sandbox);
        Snapshot replaced = committed(sandbox);
        Snapshot ofOther = committed(other);
        SnapshotDraft leftover = store.begin(sandbox);
        write(leftover.directory().resolve("pages.img"), PAGES);

        int removed = store.sweep(Set.of(live.id()));

        assertThat(removed).isEqualTo(3);
        assertThat(store.open(live)).isDirectory();
        assertThat(store.location(sandbox, replaced.id())).doesNotExist();
        assertThat(store.location(other, ofOther.id())).doesNotExist();
        assertThat(root.resolve(other.value())).doesNotExist();
        assertThat(leftover.directory()).doesNotExist();
        assertThat(entries(root.resolve("drafts"))).isZero();
    }

    @Test
    void sweepKeepsEveryLiveSnapshot() {
        Snapshot first = committed(sandbox);
        Snapshot second = committed(SandboxId.random());

        int removed = store.sweep(Set.of(first.id(), second.id()));

        assertThat(removed).isZero();
        assertThat(store.open(first)).isDirectory();
        assertThat(store.open(second)).isDirectory();
    }

    @Test
    void deleteRemovesTheContentAndTheEmptySandboxDirectory() {
        Snapshot snapshot = committed(sandbox);

        store.delete(snapshot);

        assertThat(store.location(sandbox, snapshot.id())).doesNotExist();
        assertThat(root.resolve(sandbox.value())).doesNotExist();
        assertThatCode(() -> store.delete(snapshot)).doesNotThrowAnyException();
    }

    @Test
    void deleteKeepsTheSandboxsOtherSnapshots() {
        Snapshot gone = committed(sandbox);
        Snapshot kept = committed(sandbox);

        store.delete(gone);

        assertThat(store.open(kept)).isDirectory();
    }

    @Test
    void aNewStoreOverTheSameDirectoryOpensExistingSnapshots() {
        Snapshot snapshot = committed(sandbox);

        LocalSnapshotStore reopened = new LocalSnapshotStore(root, Clock.systemUTC());

        assertThat(reopened.open(snapshot)).isEqualTo(store.location(sandbox, snapshot.id()));
    }
}
