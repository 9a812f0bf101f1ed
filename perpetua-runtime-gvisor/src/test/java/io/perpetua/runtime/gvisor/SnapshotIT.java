package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A snapshot of a running sandbox: its whole state in an image and its disk in a copy, while
 * it carries on with the same processes, pids and memory; the copy is the disk as it was, not
 * as it becomes.
 */
class SnapshotIT {

    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
            Map.of(), Map.of(), 512, 1.0);

    private static Path directory;
    private static RunscRuntime runtime;
    private static ContainerRef ref;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("perpetua-snapshot-it-");
        runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", "perpetua-it-" + Long.toHexString(System.nanoTime()),
                new NetworkConfig(true, "10.233.0.0/16")));
        ref = new ContainerRef(SandboxId.random(), 1);
        runtime.start(ref, SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(ref, ExecRequest.of("true")).exitCode() == 0);
    }

    @AfterAll
    static void removeEverything() {
        RuntimeCleanup.removeEverything(runtime, directory);
    }

    @Test
    void aSnapshotKeepsTheSandboxRunningWithItsProcessesAndCopiesItsDiskAsItWas() throws Exception {
        String pid = startKeeper("snapshot").pid();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "echo before > /root/state.txt"));

        Snapshot snapshot = takeSnapshot("snapshot");
        Path image = snapshot.image();
        Path disk = snapshot.disk();

        assertThat(runtime.exec(ref, ExecRequest.of("sh", "-c", "tr '\\0' ' ' < /proc/" + pid + "/cmdline")).stdout())
                .as("the keeper runs on with its pid").startsWith("python3 -c");
        assertThat(runtime.exec(ref, ExecRequest.of("cat", "/root/state.txt")).stdout()).isEqualTo("before\n");
        runtime.exec(ref, ExecRequest.of("sh", "-c", "echo after > /root/state.txt"));
        assertThat(Files.list(image)).as("the image holds the checkpoint").isNotEmpty();
        assertThat(disk).exists();
        assertThat(directory.resolve("snapshot-disk.img.draft")).doesNotExist();
        assertThat(fileInDiskCopy(disk, "upper/root/state.txt")).as("the copy is the disk as it was").isEqualTo("before\n");
    }

    @Test
    void aRollbackPutsTheSandboxBackWithItsProcessAndFiles() throws Exception {
        runtime.exec(ref, ExecRequest.of("sh", "-c", "mkdir -p /root/work && echo precious > /root/work/data.txt"));
        Keeper keeper = startKeeper("rollback");
        String pid = keeper.pid();
        String token = keeper.token();
        Snapshot snapshot = takeSnapshot("rollback");
        Path image = snapshot.image();
        Path disk = snapshot.disk();

        runtime.exec(ref, ExecRequest.of("sh", "-c", "rm -rf /root/work /tmp/rollback-token; kill -9 " + pid));
        assertThat(runtime.exec(ref, ExecRequest.of("test", "-e", "/proc/" + pid)).exitCode()).isNotZero();

        ContainerRef next = ref.next();
        runtime.rollback(ref, next, SPEC, image, disk);
        ref = next;
        assertThat(runtime.exec(ref, ExecRequest.of("cat", "/root/work/data.txt")).stdout()).isEqualTo("precious\n");
        assertThat(runtime.exec(ref, ExecRequest.of("cat", "/tmp/rollback-token")).stdout()).isEqualTo(token);
        assertThat(runtime.exec(ref, ExecRequest.of("sh", "-c", "tr '\\0' ' ' < /proc/" + pid + "/cmdline")).stdout())
                .as("the keeper is back with its pid").startsWith("python3 -c");
    }

    @Test
    void threeForksEachHaveTheSourcesProcessAndMemoryTheirOwnAddressAndDiskAndThenDiverge() throws Exception {
        runtime.exec(ref, ExecRequest.of("sh", "-c", "echo source > /root/who.txt"));
        Keeper keeper = startKeeper("fork");
        String pid = keeper.pid();
        String token = keeper.token();
        Snapshot snapshot = takeSnapshot("fork");
        Path image = snapshot.image();
        Path disk = snapshot.disk();

        List<ContainerRef> forks = new ArrayList<>();
        Set<String> addresses = new HashSet<>(Set.of(runtime.address(ref.sandbox()).orElseThrow()));
        Set<String> randomness = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ContainerRef fork = new ContainerRef(SandboxId.random(), 1);
            runtime.fork(fork, SPEC, image, disk);
            forks.add(fork);
            assertThat(addresses.add(runtime.address(fork.sandbox()).orElseThrow())).as("fork %d has an address of its own", i).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(fork, ExecRequest.of("true")).exitCode() == 0);
            assertThat(runtime.exec(fork, ExecRequest.of("sh", "-c", "tr '\\0' ' ' < /proc/" + pid + "/cmdline")).stdout())
                    .as("fork %d runs the keeper with its pid", i).startsWith("python3 -c");
            assertThat(runtime.exec(fork, ExecRequest.of("cat", "/tmp/fork-token")).stdout()).isEqualTo(token);
            runtime.exec(fork, ExecRequest.of("sh", "-c", "echo fork" + fork.sandbox() + " > /root/who.txt"));
            randomness.add(runtime.exec(fork, ExecRequest.of("sh", "-c", "head -c 16 /dev/urandom | od -An -tx1")).stdout());
        }
        assertThat(randomness).as("each fork's /dev/urandom is its own").hasSize(3);
        for (ContainerRef fork : forks) {
            assertThat(runtime.exec(fork, ExecRequest.of("cat", "/root/who.txt")).stdout()).isEqualTo("fork" + fork.sandbox() + "\n");
            runtime.destroy(fork.sandbox());
        }
        assertThat(runtime.exec(ref, ExecRequest.of("cat", "/root/who.txt")).stdout()).as("the source is its own").isEqualTo("source\n");
    }

    /** Where a snapshot's image and disk copy are. */
    private record Snapshot(Path image, Path disk) {
    }

    /** Takes a snapshot of the sandbox, which carries on as its next container. */
    private static Snapshot takeSnapshot(String name) {
        Snapshot snapshot = new Snapshot(directory.resolve(name + "-image"), directory.resolve(name + "-disk.img"));
        ContainerRef next = ref.next();
        runtime.snapshot(ref, next, SPEC, snapshot.image(), snapshot.disk());
        ref = next;
        return snapshot;
    }

    /** A process holding a random token in its memory, which it also wrote to {@code /tmp/<name>-token}. */
    private record Keeper(String pid, String token) {
    }

    private static Keeper startKeeper(String name) {
        String tokenFile = "/tmp/" + name + "-token";
        String keeper = "import secrets,time; t=secrets.token_hex(8); open('" + tokenFile + "','w').write(t); time.sleep(3600)";
        runtime.exec(ref, ExecRequest.of("sh", "-c", "python3 -c \"" + keeper + "\" > /dev/null 2>&1 & echo $! > /tmp/" + name + "-keeper.pid"));
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(ref, ExecRequest.of("test", "-s", tokenFile)).exitCode() == 0);
        return new Keeper(runtime.exec(ref, ExecRequest.of("cat", "/tmp/" + name + "-keeper.pid")).stdout().strip(),
                runtime.exec(ref, ExecRequest.of("cat", tokenFile)).stdout());
    }

    /** A file of the disk copy, read from a read-only mount of it. */
    private static String fileInDiskCopy(Path disk, String file) throws Exception {
        Path mount = Files.createDirectories(directory.resolve("disk-copy-mount"));
        HostCommand.run(List.of("mount", "-o", "loop,ro,noload", disk.toString(), mount.toString()), Duration.ofSeconds(30))
                .orThrow("mounting the disk copy");
        try {
            return Files.readString(mount.resolve(file));
        } finally {
            Mounts.unmountAll(mount);
        }
    }
}
