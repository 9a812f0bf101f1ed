package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.perpetua.error.InvalidInputException;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RunscRuntimeIT {

    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
            Map.of("GREETING", "hello"), Map.of(), 512, 1.0);

    private static Path directory;
    private static String cgroupParent;
    private static RunscRuntime runtime;

    @BeforeAll
    static void startRuntime() throws Exception {
        directory = Files.createTempDirectory("perpetua-runtime-it-");
        cgroupParent = "perpetua-it-" + Long.toHexString(System.nanoTime());
        runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", cgroupParent));
    }

    @AfterAll
    static void removeEverything() {
        RuntimeCleanup.removeEverything(runtime, directory);
    }

    @Test
    void warmPoolHandsOutARunningSandboxOfItsShapeOnly() throws Exception {
        runtime.keepWarm(1, SPEC);
        SandboxSpec otherMemory = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(), Map.of(), 768, 1.0);
        SandboxSpec halfCore = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(), Map.of(), 512, 0.5);
        AtomicReference<SandboxId> taken = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(runtime.takeWarm(otherMemory)).isEmpty();
            runtime.takeWarm(halfCore).ifPresent(taken::set);
            return taken.get() != null;
        });
        ContainerRef ref = new ContainerRef(taken.get(), 1);
        assertThat(runtime.status(ref)).isEqualTo(ContainerStatus.RUNNING);
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu", cgroupParent, ref.containerId(), "cpu.cfs_quota_us")).strip()).isEqualTo("50000");
        assertThat(runtime.exec(ref, ExecRequest.of("echo", "warm")).stdout()).isEqualTo("warm\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void limitsTheContainerToItsCpusAndMemory() throws Exception {
        SandboxSpec halfCore = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(), Map.of(), 256, 0.5);
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        runtime.start(ref, halfCore);
        Path cpu = Path.of("/sys/fs/cgroup/cpu", cgroupParent, ref.containerId());
        assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("50000");
        assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).strip()).isEqualTo("100000");
        Path memory = Path.of("/sys/fs/cgroup/memory", cgroupParent, ref.containerId());
        assertThat(Long.parseLong(Files.readString(memory.resolve("memory.limit_in_bytes")).strip())).isEqualTo(256L << 20);
        runtime.destroy(ref.sandbox());
    }

    @Test
    void runsCommandsWithTheSandboxEnvironmentAndSeparateOutputs() {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "echo $GREETING $EXTRA; echo oops >&2; exit 3"),
                null, Map.of("EXTRA", "world"), null, null));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("hello world\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void passesStdinAndWorkingDirectory() {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "pwd; cat"), "/tmp", null, "from stdin", null));
        assertThat(result.stdout()).isEqualTo("/tmp\nfrom stdin");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void reportsAMissingProgramAsExitCode127() {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, ExecRequest.of("/no/such/program"));
        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(result.stderr()).contains("/no/such/program");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void killsACommandThatOutlivesItsTimeoutWithEverythingItStarted() {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "sleep 300 & sleep 300"), null, null, null, Duration.ofSeconds(1)));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.duration()).isLessThan(Duration.ofSeconds(10));
        assertThat(runtime.exec(ref, ExecRequest.of("sh", "-c", "ps -eo comm | grep -c '^sleep' || true")).stdout()).isEqualTo("0\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void backgroundProcessHoldingTheCommandsOutputBlocksNeitherTheCommandNorACheckpoint() throws Exception {
        ContainerRef ref = started();
        ExecResult started = runtime.exec(ref, ExecRequest.of("sh", "-c", "sleep 300 & echo started"));
        assertThat(started.stdout()).isEqualTo("started\n");
        assertThat(started.duration()).isLessThan(Duration.ofSeconds(5));
        Path image = Files.createDirectories(directory.resolve("image-" + ref.sandbox()));
        runtime.checkpoint(ref, image);
        ContainerRef next = ref.next();
        runtime.restore(next, SPEC, image);
        assertThat(runtime.exec(next, ExecRequest.of("sh", "-c", "ps -eo comm | grep -c '^sleep'")).stdout()).isEqualTo("1\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void rejectsAWorkingDirectoryThatDoesNotExist() {
        ContainerRef ref = started();
        assertThatThrownBy(() -> runtime.exec(ref, new ExecRequest(List.of("true"), "/no/such/dir", null, null, null)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("/no/such/dir");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void templateHasAWorkingUserlandAndNoHostSecrets() {
        ContainerRef ref = started();
        ExecResult tools = runtime.exec(ref, ExecRequest.of("sh", "-c", "ls -l / >/dev/null && stat /etc/passwd >/dev/null && python3 -c 'print(6*7)' && git --version && bash -c 'echo bash'"));
        assertThat(tools.exitCode()).as(tools.stderr()).isZero();
        assertThat(tools.stdout()).contains("42", "git version", "bash");
        ExecResult secrets = runtime.exec(ref, ExecRequest.of("sh", "-c",
                "for f in /etc/shadow /etc/gshadow /etc/ssh /etc/ssl/private /root/.ssh /work /usr/local/bin " + directory + "; do [ -e $f ] && echo LEAK $f; done; find /home /root -mindepth 1 | wc -l"));
        assertThat(secrets.stdout()).doesNotContain("LEAK").isEqualTo("0\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void writesAnywhereWritableLandInTheSandboxDirectoryOnTheHost() {
        ContainerRef ref = started();
        ExecResult result = runtime.exec(ref, ExecRequest.of("sh", "-c", "echo a > /root/a && echo b > /tmp/b && echo c > /usr/lib/c && echo d > /opt/d"));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        Path root = runtime.rootDirectory(ref.sandbox());
        assertThat(root.resolve("root/a")).hasContent("a");
        assertThat(root.resolve("tmp/b")).hasContent("b");
        assertThat(root.resolve("usr/lib/c")).hasContent("c");
        assertThat(Path.of("/usr/lib/c")).doesNotExist();
        runtime.destroy(ref.sandbox());
    }

    @Test
    void frozenContainerUsesNoCpuAndThawsWithItsProcesses() throws Exception {
        ContainerRef ref = started();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "nohup sh -c 'while :; do :; done' >/dev/null 2>&1 &"));
        runtime.freeze(ref);
        assertThat(runtime.status(ref)).isEqualTo(ContainerStatus.FROZEN);
        long before = runtime.usage(ref).cpuNanos();
        Thread.sleep(500);
        assertThat(runtime.usage(ref).cpuNanos()).isEqualTo(before);
        runtime.thaw(ref);
        assertThat(runtime.status(ref)).isEqualTo(ContainerStatus.RUNNING);
        assertThat(runtime.exec(ref, ExecRequest.of("true")).exitCode()).isZero();
        runtime.destroy(ref.sandbox());
    }

    @Test
    void checkpointStopsTheContainerAndRestoreBringsBackItsMemory() throws Exception {
        ContainerRef ref = started();
        runtime.exec(ref, ExecRequest.of("sh", "-c", "python3 -c 'import time; x = \"kept in memory\"; time.sleep(3600)' >/dev/null 2>&1 & echo $! > /root/pid"));
        Path image = Files.createDirectories(directory.resolve("image-" + ref.sandbox()));
        assertThat(runtime.checkpointComplete(image)).as("before the checkpoint").isFalse();
        runtime.checkpoint(ref, image);
        assertThat(runtime.checkpointComplete(image)).as("its shell recorded that it completed").isTrue();
        assertThat(runtime.status(ref)).isIn(ContainerStatus.STOPPED, ContainerStatus.MISSING);
        ContainerRef next = ref.next();
        runtime.restore(next, SPEC, image);
        ExecResult result = runtime.exec(next, ExecRequest.of("sh", "-c", "kill -0 $(cat /root/pid) && echo alive"));
        assertThat(result.stdout()).isEqualTo("alive\n");
        runtime.destroy(ref.sandbox());
        assertThat(runtime.containers()).noneMatch(c -> c.sandbox().equals(ref.sandbox()));
        assertThat(runtime.sandboxes()).doesNotContain(ref.sandbox());
    }

    private static ContainerRef started() {
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        runtime.validate(SPEC);
        runtime.start(ref, SPEC);
        return ref;
    }
}
