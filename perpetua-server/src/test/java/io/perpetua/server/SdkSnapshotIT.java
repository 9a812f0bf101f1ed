package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perpetua.client.Fork;
import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxSpec;
import io.perpetua.client.SavedSnapshotInfo;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Saved snapshots through the Java SDK against a real daemon: a sandbox saved with a file is
 * listed, forked and copied with the file, rolled back to it after the file was removed, and
 * its snapshot deleted, while the copies live on.
 */
class SdkSnapshotIT {

    private static final String NOTE = "/root/note.txt";

    private static Daemon daemon;
    private static Perpetua perpetua;
    private final List<Sandbox> sandboxes = new ArrayList<>();
    private final List<String> snapshots = new ArrayList<>();

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "1h", "--hibernate-after", "1h");
        perpetua = Perpetua.connect(daemon.api().baseUri().toString(), daemon.api().key());
    }

    @AfterAll
    static void removeEverything() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void cleanUp() {
        sandboxes.forEach(sandbox -> ignoringNotFound(sandbox::delete));
        snapshots.forEach(id -> ignoringNotFound(() -> perpetua.snapshots().delete(id)));
    }

    @Test
    void aSnapshotIsListedForkedCopiedRestoredAndDeleted() {
        Sandbox source = perpetua.sandboxes().create(SandboxSpec.builder().diskMb(1024).build());
        sandboxes.add(source);
        source.files().write(NOTE, "kept".getBytes(StandardCharsets.UTF_8));

        SavedSnapshotInfo saved = source.snapshot("with-note");
        snapshots.add(saved.id());
        assertThat(saved.name()).isEqualTo("with-note");
        assertThat(saved.sandboxId()).isEqualTo(source.id());
        assertThat(saved.project()).isEqualTo(source.info().project());
        assertThat(saved.sizeBytes()).isPositive();
        assertThat(source.refresh().state()).as("the sandbox runs on").isEqualTo("running");
        // The daemon's first answer has the time in nanoseconds, its store keeps microseconds.
        assertThat(source.snapshots()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("createdAt").containsExactly(saved);
        assertThat(perpetua.snapshots().list()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("createdAt")
                .containsExactly(saved);
        SavedSnapshotInfo fetched = perpetua.snapshots().get(saved.id());
        assertThat(fetched).usingRecursiveComparison().ignoringFields("createdAt").isEqualTo(saved);
        assertThat(fetched.createdAt()).isCloseTo(saved.createdAt(), within(1, ChronoUnit.MILLIS));

        Fork fork = source.fork(2);
        snapshots.add(fork.snapshot().id());
        sandboxes.addAll(fork.sandboxes());
        assertThat(fork.snapshot().sandboxId()).isEqualTo(source.id());
        assertThat(fork.sandboxes()).extracting(Sandbox::id).hasSize(2).doesNotHaveDuplicates().doesNotContain(source.id());
        for (Sandbox copy : fork.sandboxes()) {
            assertThat(copy.info().state()).isEqualTo("running");
            assertThat(note(copy)).as("the note in fork " + copy.id()).isEqualTo("kept");
        }

        Sandbox copy = perpetua.sandboxes().createFromSnapshot(saved.id());
        sandboxes.add(copy);
        assertThat(copy.id()).isNotEqualTo(source.id());
        assertThat(note(copy)).as("the note in the copy").isEqualTo("kept");

        assertThat(source.exec("rm", NOTE).exitCode()).isZero();
        assertThatThrownBy(() -> source.files().read(NOTE)).isInstanceOf(NotFoundException.class);
        assertThat(source.restore(saved.id()).state()).isEqualTo("running");
        assertThat(note(source)).as("the note after the rollback").isEqualTo("kept");

        perpetua.snapshots().delete(saved.id());
        assertThatThrownBy(() -> perpetua.snapshots().get(saved.id()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("snapshot_not_found"));
        assertThat(source.snapshots()).extracting(SavedSnapshotInfo::id).containsExactly(fork.snapshot().id());
        assertThat(note(copy)).as("a copy outlives its snapshot").isEqualTo("kept");
    }

    @Test
    void aSnapshotThatDoesNotExistIsNotFoundWithItsCode() {
        String missing = "snnosuchsnapshot";

        assertThatThrownBy(() -> perpetua.snapshots().get(missing))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("snapshot_not_found"));
        assertThatThrownBy(() -> perpetua.snapshots().delete(missing))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("snapshot_not_found"));
        assertThatThrownBy(() -> perpetua.sandboxes().createFromSnapshot(missing))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("snapshot_not_found"));
        assertThat(perpetua.sandboxes().list()).as("nothing was created").isEmpty();
    }

    private static String note(Sandbox sandbox) {
        return new String(sandbox.files().read(NOTE), StandardCharsets.UTF_8);
    }

    private static void ignoringNotFound(Runnable delete) {
        try {
            delete.run();
        } catch (NotFoundException e) {
            // Deleted by the test already.
        }
    }
}
