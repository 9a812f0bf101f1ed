package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.volume.VolumeMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Volumes on real runsc sandboxes, with and without sandbox networks (which start runsc in a
 * mount namespace of their own): mounted at start and into running sandboxes, shared at once
 * between them, read-only where asked, and still mounted after a checkpoint and restore.
 */
class VolumeMountIT {

    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
            Map.of(), Map.of(), 256, 1.0);

    private static Path directory;
    private static RunscRuntime networked;
    private static Path plainDirectory;
    private static RunscRuntime plain;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("perpetua-volume-it-");
        networked = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", "perpetua-it-" + Long.toHexString(System.nanoTime()),
                new NetworkConfig(true, "10.234.0.0/16")));
        plainDirectory = Files.createTempDirectory("perpetua-volume-plain-it-");
        plain = new RunscRuntime(new RunscConfig("runsc", plainDirectory, "ptrace", "perpetua-it-" + Long.toHexString(System.nanoTime())));
    }

    @AfterAll
    static void removeEverything() {
        RuntimeCleanup.removeEverything(networked, directory);
        RuntimeCleanup.removeEverything(plain, plainDirectory);
    }

    @Test
    void aVolumeIsSharedReadOnlyWhereAskedAndSurvivesACheckpoint() throws Exception {
        check(networked, directory);
    }

    @Test
    void theSameWithoutSandboxNetworks() throws Exception {
        check(plain, plainDirectory);
    }

    private static void check(RunscRuntime runtime, Path home) throws Exception {
        String volume = "vol" + SandboxId.random().value().substring(2, 15);
        runtime.createVolume(volume, 64);
        ContainerRef writer = started(runtime);
        ContainerRef reader = started(runtime);

        runtime.mount(writer, List.of(new VolumeMount(volume, "/data", false)));
        assertThat(run(runtime, writer, "dd if=/dev/zero of=/.perpetua-mounts/junk bs=1M count=8").exitCode())
                .as("the mount directory is not a way around the disk limit").isNotZero();
        run(runtime, writer, "rm -f /.perpetua-mounts/junk");
        assertThat(run(runtime, writer, "echo first > /data/note && cat /data/note").stdout()).isEqualTo("first\n");
        runtime.mount(reader, List.of(new VolumeMount(volume, "/mnt/shared", true)));
        assertThat(run(runtime, reader, "cat /mnt/shared/note").stdout()).as("the reader sees the writer's file").isEqualTo("first\n");
        ExecResult refused = run(runtime, reader, "echo nope > /mnt/shared/other");
        assertThat(refused.exitCode()).as("a read-only mount refuses writes").isNotZero();
        assertThat(refused.stderr()).contains("Read-only");

        run(runtime, writer, "echo second >> /data/note");
        assertThat(run(runtime, reader, "cat /mnt/shared/note").stdout()).isEqualTo("first\nsecond\n");

        Path image = Files.createDirectories(home.resolve("image-" + writer.sandbox()));
        runtime.checkpoint(writer, image);
        runtime.mount(reader, List.of(new VolumeMount(volume, "/mnt/shared", true)));
        ContainerRef restored = writer.next();
        runtime.restore(restored, SPEC, image);
        assertThat(run(runtime, restored, "echo third >> /data/note && cat /data/note && grep -c ' /data ' /proc/mounts").stdout())
                .as("the mount came back with the checkpoint").isEqualTo("first\nsecond\nthird\n1\n");
        assertThat(run(runtime, reader, "cat /mnt/shared/note").stdout()).isEqualTo("first\nsecond\nthird\n");
        assertThat(runtime.mounts(writer.sandbox())).containsExactly(new VolumeMount(volume, "/data", false));

        runtime.destroy(writer.sandbox());
        runtime.destroy(reader.sandbox());
        assertThat(runtime.volumes()).contains(volume);
        ContainerRef later = started(runtime);
        runtime.mount(later, List.of(new VolumeMount(volume, "/data", false)));
        assertThat(run(runtime, later, "cat /data/note").stdout()).as("the volume outlives its sandboxes").isEqualTo("first\nsecond\nthird\n");
        runtime.destroy(later.sandbox());
        runtime.deleteVolume(volume);
        assertThat(runtime.volumes()).doesNotContain(volume);
    }

    private static ContainerRef started(RunscRuntime runtime) {
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        runtime.start(ref, SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(ref, ExecRequest.of("true")).exitCode() == 0);
        return ref;
    }

    private static ExecResult run(RunscRuntime runtime, ContainerRef ref, String script) {
        return runtime.exec(ref, ExecRequest.of("sh", "-c", script));
    }
}
