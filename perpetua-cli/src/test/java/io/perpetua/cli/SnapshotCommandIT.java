package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SavedSnapshotInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code perpetua snapshot}, {@code sandbox fork} and {@code sandbox create --snapshot} against a
 * real daemon: a sandbox's file is in its fork and its copy, and back after a rollback.
 */
class SnapshotCommandIT {

    private static LiveDaemon daemon;
    private static Perpetua perpetua;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
        perpetua = Perpetua.connect(daemon.url(), LiveDaemon.KEY);
    }

    @AfterAll
    static void stopDaemon() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void deleteEverything() {
        perpetua.sandboxes().list().forEach(Sandbox::delete);
        perpetua.snapshots().list().stream().map(SavedSnapshotInfo::id).forEach(perpetua.snapshots()::delete);
    }

    @Test
    void aSnapshotIsTakenListedForkedCopiedRestoredAndDeleted() {
        String source = ok("sandbox", "create", "--disk", "1024").strip();
        ok("sandbox", "exec", source, "--", "sh", "-c", "echo kept > /root/note");

        String snapshot = ok("snapshot", "create", source, "--name", "from-cli").strip();
        assertThat(ok("snapshot", "list", "--sandbox", source)).contains(snapshot).contains("from-cli");
        assertThat(ok("snapshot", "get", snapshot, "--output", "json")).contains("\"sandboxId\": \"" + source + "\"");

        String fork = ok("sandbox", "fork", source).strip();
        assertThat(fork).startsWith("sb").doesNotContain("\n").isNotEqualTo(source);
        assertThat(ok("sandbox", "exec", fork, "--", "cat", "/root/note")).isEqualTo("kept\n");
        String copy = ok("sandbox", "create", "--snapshot", snapshot).strip();
        assertThat(ok("sandbox", "exec", copy, "--", "cat", "/root/note")).isEqualTo("kept\n");

        ok("sandbox", "exec", source, "--", "rm", "/root/note");
        assertThat(ok("snapshot", "restore", source, snapshot)).isEqualTo(source + " running\n");
        assertThat(ok("sandbox", "exec", source, "--", "cat", "/root/note")).isEqualTo("kept\n");

        assertThat(ok("snapshot", "delete", snapshot)).isEqualTo("deleted " + snapshot + "\n");
        CliRun gone = CliRun.of(daemon.env(), "", "snapshot", "get", snapshot);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("(snapshot_not_found)");
    }

    /** Runs the CLI, expecting success, and answers what it printed. */
    private static String ok(String... args) {
        CliRun run = CliRun.of(daemon.env(), "", args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run.out();
    }
}
