package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.client.ConflictException;
import io.perpetua.client.Drives;
import io.perpetua.client.ExecResult;
import io.perpetua.client.InvalidRequestException;
import io.perpetua.client.MountInfo;
import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SandboxSpec;
import io.perpetua.client.VolumeInfo;
import io.perpetua.client.VolumeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Volumes and drives through the Java SDK against a real daemon: a volume written in one sandbox
 * is read in the next after the first is gone, with one writer at a time; a drive is mounted into
 * a sandbox that runs and read there at once; both are listed, fetched and deleted.
 */
class SdkVolumeIT {

    private static Daemon daemon;
    private static Perpetua perpetua;
    private final List<Sandbox> sandboxes = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final List<String> drives = new ArrayList<>();

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

    /** The sandboxes first, as a volume a live sandbox mounts cannot be deleted; then every volume and drive, whatever fails. */
    @AfterEach
    void cleanUp() {
        List<RuntimeException> failures = new ArrayList<>();
        sandboxes.forEach(sandbox -> ignoringNotFound(sandbox::delete, failures));
        volumes.forEach(id -> ignoringNotFound(() -> perpetua.volumes().delete(id), failures));
        drives.forEach(id -> ignoringNotFound(() -> perpetua.drives().delete(id), failures));
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    @Test
    void aVolumeOutlivesItsSandboxWithOneWriterAtATime() {
        VolumeInfo made = perpetua.volumes().create("sdk-data", 128);
        volumes.add(made.id());
        assertThat(made.name()).isEqualTo("sdk-data");
        assertThat(made.kind()).isEqualTo(VolumeKind.VOLUME);
        assertThat(made.sizeMb()).isEqualTo(128);
        assertThat(made.mountedIn()).isEmpty();

        Sandbox writer = create(SandboxSpec.builder().volume("sdk-data", "/data").build());
        assertThat(writer.info().mounts()).containsExactly(new MountInfo(VolumeKind.VOLUME, made.id(), "sdk-data", "/data", false));
        assertThat(sh(writer, "echo precious > /data/result.txt && cat /data/result.txt")).isEqualTo("precious\n");
        assertThat(perpetua.volumes().get(made.id()).mountedIn()).containsExactly(new VolumeInfo.Holder(writer.id(), "/data", false));
        assertThat(perpetua.volumes().list()).extracting(VolumeInfo::id).containsExactly(made.id());

        assertThatThrownBy(() -> create(SandboxSpec.builder().volume(made.id(), "/data").build()))
                .as("a second writer")
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("volume_in_use"))
                .hasMessageContaining(writer.id());
        assertThatThrownBy(() -> perpetua.volumes().delete("sdk-data"))
                .as("a volume a live sandbox mounts")
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("volume_in_use"));

        writer.delete();
        assertThat(perpetua.volumes().get("sdk-data").mountedIn()).isEmpty();
        Sandbox reader = create(SandboxSpec.builder().volume("sdk-data", "/mnt/results", true).build());
        assertThat(sh(reader, "cat /mnt/results/result.txt")).as("the data outlived its writer").isEqualTo("precious\n");
        assertThat(reader.exec("sh", "-c", "echo x > /mnt/results/other").exitCode()).as("a read-only mount").isNotZero();
        VolumeInfo used = perpetua.volumes().get("sdk-data");
        assertThat(used.mountedIn()).containsExactly(new VolumeInfo.Holder(reader.id(), "/mnt/results", true));
        assertThat(used.usedBytes()).isPositive();

        reader.delete();
        perpetua.volumes().delete("sdk-data");
        assertThatThrownBy(() -> perpetua.volumes().get(made.id()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("volume_not_found"));
        assertThat(perpetua.volumes().list()).isEmpty();
    }

    @Test
    void aDriveIsMountedIntoARunningSandboxAndReadThereAtOnce() {
        VolumeInfo made = perpetua.drives().create("sdk-share");
        drives.add(made.id());
        assertThat(made.kind()).isEqualTo(VolumeKind.DRIVE);
        assertThat(made.sizeMb()).isEqualTo(Drives.DEFAULT_SIZE_MB);
        assertThat(perpetua.drives().list()).extracting(VolumeInfo::name).containsExactly("sdk-share");
        assertThat(perpetua.volumes().list()).as("drives are not volumes").isEmpty();

        Sandbox writer = create(SandboxSpec.builder().drive("sdk-share", "/shared").build());
        sh(writer, "echo from-writer > /shared/note.txt");
        Sandbox running = create(SandboxSpec.defaults());
        assertThat(running.info().mounts()).isEmpty();

        SandboxInfo mounted = running.mountDrive(made.id(), "/mnt/team", true);
        assertThat(mounted.mounts()).containsExactly(new MountInfo(VolumeKind.DRIVE, made.id(), "sdk-share", "/mnt/team", true));
        assertThat(running.info()).as("the handle remembers the answer").isSameAs(mounted);
        assertThat(sh(running, "cat /mnt/team/note.txt")).as("mounted without a restart").isEqualTo("from-writer\n");
        assertThat(running.exec("sh", "-c", "echo x > /mnt/team/other").exitCode()).as("a read-only mount").isNotZero();
        sh(writer, "echo again >> /shared/note.txt");
        assertThat(sh(running, "cat /mnt/team/note.txt")).isEqualTo("from-writer\nagain\n");
        assertThat(perpetua.drives().get("sdk-share").mountedIn()).containsExactlyInAnyOrder(
                new VolumeInfo.Holder(writer.id(), "/shared", false), new VolumeInfo.Holder(running.id(), "/mnt/team", true));
        assertThat(running.refresh().mounts()).extracting(MountInfo::mountPath).containsExactly("/mnt/team");

        assertThatThrownBy(() -> running.mountDrive("sdk-share", "/mnt/again"))
                .as("a drive mounted already")
                .isInstanceOf(InvalidRequestException.class);

        writer.delete();
        running.delete();
        perpetua.drives().delete("sdk-share");
        assertThatThrownBy(() -> perpetua.drives().get("sdk-share"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("drive_not_found"));
    }

    @Test
    void whatDoesNotExistIsNotFoundOrRefusedWithNothingMade() {
        assertThatThrownBy(() -> perpetua.volumes().get("nosuchvolume"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("volume_not_found"));
        assertThatThrownBy(() -> perpetua.drives().delete("nosuchdrive"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("drive_not_found"));
        assertThatThrownBy(() -> create(SandboxSpec.builder().volume("nosuchvolume", "/data").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("volumes[0].volume"));
        volumes.add(perpetua.volumes().create("sdk-taken", 16).id());
        assertThatThrownBy(() -> perpetua.volumes().create("sdk-taken", 16))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("volume_exists"));
        assertThat(perpetua.sandboxes().list()).as("no sandbox was made").isEmpty();
    }

    private Sandbox create(SandboxSpec spec) {
        Sandbox sandbox = perpetua.sandboxes().create(spec);
        sandboxes.add(sandbox);
        return sandbox;
    }

    /** Runs a shell command that must succeed and answers what it printed. */
    private static String sh(Sandbox sandbox, String command) {
        ExecResult result = sandbox.exec("sh", "-c", command);
        assertThat(result.exitCode()).as(command + ": " + result.stderr()).isZero();
        return result.stdout();
    }

    private static void ignoringNotFound(Runnable delete, List<RuntimeException> failures) {
        try {
            delete.run();
        } catch (NotFoundException e) {
            // Deleted by the test already.
        } catch (PerpetuaException e) {
            failures.add(e);
        }
    }
}
