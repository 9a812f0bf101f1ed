package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import io.perpetua.client.Sandbox;
import io.perpetua.client.VolumeInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code perpetua volume}, {@code perpetua drive}, {@code sandbox create --volume} and
 * {@code sandbox mount-drive} against a real daemon: a file written on a volume by one sandbox is
 * read by the next, and a drive mounted into a running sandbox is there at once.
 */
class VolumeCommandIT {

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

    /** The sandboxes first, as a volume a live sandbox mounts cannot be deleted; then every volume and drive, whatever fails. */
    @AfterEach
    void deleteEverything() {
        List<RuntimeException> failures = new ArrayList<>();
        attempt(() -> perpetua.sandboxes().list().forEach(Sandbox::delete), failures);
        attempt(() -> perpetua.volumes().list().stream().map(VolumeInfo::id).forEach(perpetua.volumes()::delete), failures);
        attempt(() -> perpetua.drives().list().stream().map(VolumeInfo::id).forEach(perpetua.drives()::delete), failures);
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    @Test
    void aVolumeIsMadeMountedListedAndDeleted() {
        String id = ok("volume", "create", "cli-data", "--size-mb", "64").strip();
        assertThat(id).isNotEmpty().doesNotContain("\n");
        assertThat(ok("volume", "list")).contains(id, "cli-data", "64");
        assertThat(ok("volume", "get", id, "--output", "json")).contains("\"name\": \"cli-data\"", "\"kind\": \"volume\"");

        String writer = ok("sandbox", "create", "--volume", "cli-data:/data").strip();
        ok("sandbox", "exec", writer, "--", "sh", "-c", "echo kept > /data/note");
        assertThat(ok("sandbox", "get", writer)).contains("\"mountPath\": \"/data\"", "\"name\": \"cli-data\"");
        assertThat(ok("volume", "get", "cli-data")).contains(writer + ":/data");
        CliRun inUse = CliRun.of(daemon.env(), "", "volume", "delete", "cli-data");
        assertThat(inUse.exitCode()).isEqualTo(1);
        assertThat(inUse.err()).contains("(volume_in_use)");
        CliRun second = CliRun.of(daemon.env(), "", "sandbox", "create", "--volume", "cli-data:/data");
        assertThat(second.exitCode()).as("a second writer").isEqualTo(1);
        assertThat(second.err()).contains("(volume_in_use)");

        ok("sandbox", "delete", writer);
        String reader = ok("sandbox", "create", "--volume", id + ":/mnt/data:ro").strip();
        assertThat(ok("sandbox", "exec", reader, "--", "cat", "/mnt/data/note")).as("the file outlived its writer").isEqualTo("kept\n");
        assertThat(ok("volume", "list")).contains(reader + ":/mnt/data:ro");
        ok("sandbox", "delete", reader);

        assertThat(ok("volume", "delete", "cli-data")).isEqualTo("deleted cli-data\n");
        CliRun gone = CliRun.of(daemon.env(), "", "volume", "get", id);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("(volume_not_found)");
    }

    @Test
    void aDriveIsMountedIntoARunningSandbox() {
        String id = ok("drive", "create", "cli-share").strip();
        assertThat(ok("drive", "get", "cli-share")).contains(id, "10240");
        String writer = ok("sandbox", "create", "--drive", "cli-share:/shared").strip();
        ok("sandbox", "exec", writer, "--", "sh", "-c", "echo shared > /shared/note");

        String running = ok("sandbox", "create").strip();
        assertThat(ok("sandbox", "mount-drive", running, "cli-share:/mnt/team")).contains("drive", "cli-share", id, "rw", "/mnt/team");
        assertThat(ok("sandbox", "exec", running, "--", "cat", "/mnt/team/note")).isEqualTo("shared\n");
        assertThat(ok("drive", "list")).contains(writer + ":/shared", running + ":/mnt/team");

        ok("sandbox", "delete", writer, running);
        assertThat(ok("drive", "delete", id)).isEqualTo("deleted " + id + "\n");
        assertThat(ok("drive", "list")).doesNotContain("cli-share");
    }

    /** Runs the CLI, expecting success, and answers what it printed. */
    private static String ok(String... args) {
        CliRun run = CliRun.of(daemon.env(), "", args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run.out();
    }

    private static void attempt(Runnable cleanUp, List<RuntimeException> failures) {
        try {
            cleanUp.run();
        } catch (PerpetuaException e) {
            failures.add(e);
        }
    }
}
