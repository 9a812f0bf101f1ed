package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sandbox's own limits on real runsc: its disk, its processes, its open files and its memory
 * hold against code that tries to exceed them, and the host keeps its own.
 */
class ResourceLimitsIT {

    private static Path directory;
    private static String cgroupParent;
    private static RunscRuntime runtime;

    @BeforeAll
    static void startRuntime() throws Exception {
        directory = Files.createTempDirectory("perpetua-limits-it-");
        cgroupParent = "perpetua-it-" + Long.toHexString(System.nanoTime());
        runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", cgroupParent));
    }

    @AfterAll
    static void removeEverything() {
        RuntimeCleanup.removeEverything(runtime, directory);
    }

    private static SandboxSpec spec(int memoryMb, Integer diskMb, Integer maxProcesses, Integer maxOpenFiles) {
        return new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(), Map.of(), memoryMb, 1.0,
                diskMb, maxProcesses, maxOpenFiles, null);
    }

    private static ContainerRef started(SandboxSpec spec) {
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        runtime.start(ref, spec);
        return ref;
    }

    private static ExecResult sh(ContainerRef ref, String script) {
        return runtime.exec(ref, new ExecRequest(List.of("sh", "-c", script), null, null, null, Duration.ofSeconds(120)));
    }

    @Test
    void aSandboxFillsItsOwnDiskAndNotTheHosts() throws Exception {
        ContainerRef ref = started(spec(512, 100, null, null));
        long hostFreeBefore = Files.getFileStore(directory).getUsableSpace();

        ExecResult filled = sh(ref, "dd if=/dev/zero of=/root/fill bs=1M count=300 2>&1; echo status $?; df -m / | tail -1");

        assertThat(filled.stdout()).contains("No space left on device").contains("status 1");
        long hostUsed = hostFreeBefore - Files.getFileStore(directory).getUsableSpace();
        assertThat(hostUsed).as("the host gave at most the sandbox's disk").isLessThan(140L << 20);
        assertThat(sh(ref, "rm /root/fill && dd if=/dev/zero of=/root/again bs=1M count=50 2>&1 && echo written").stdout())
                .as("space freed inside is free again").contains("written");
        assertThat(sh(ref, "echo tmp > /tmp/x && cat /tmp/x").stdout()).isEqualTo("tmp\n");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void aForkBombStopsItsOwnSandboxAtTheProcessLimitAndSaysSo() {
        ContainerRef bombed = started(spec(512, null, 64, null));
        ContainerRef neighbour = started(spec(512, null, null, null));

        ExecRequest bomb = new ExecRequest(List.of("python3", "-c", String.join("\n",
                "import os, time",
                "for _ in range(400):",
                "    if os.fork() == 0:",
                "        time.sleep(30)",
                "        os._exit(0)")), null, null, null, Duration.ofSeconds(120));

        assertThatThrownBy(() -> runtime.exec(bombed, bomb)).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("too many processes").extracting("code").isEqualTo("sandbox_stopped");
        assertThat(runtime.status(bombed)).isEqualTo(ContainerStatus.STOPPED);
        assertThat(runtime.stopReason(bombed)).hasValueSatisfying(reason -> assertThat(reason).contains("too many processes").contains("64"));
        assertThat(runtime.exec(neighbour, ExecRequest.of("echo", "alive")).stdout()).isEqualTo("alive\n");
        runtime.destroy(bombed.sandbox());
        runtime.destroy(neighbour.sandbox());
    }

    @Test
    void processesHoldAtMostTheirOpenFileLimit() {
        ContainerRef ref = started(spec(512, null, null, 256));

        assertThat(sh(ref, "ulimit -n").stdout().strip()).isEqualTo("256");
        ExecResult opened = runtime.exec(ref, ExecRequest.of("python3", "-c", String.join("\n",
                "files = []",
                "try:",
                "    while True:",
                "        files.append(open('/etc/hostname'))",
                "except OSError as e:",
                "    print('stopped at', len(files), e.errno)")));
        assertThat(opened.stdout()).startsWith("stopped at 25").contains(" 24");
        runtime.destroy(ref.sandbox());
    }

    @Test
    void aSandboxThatBlowsItsMemoryStopsAloneWithItsCgroupSayingWhy() {
        ContainerRef ref = started(spec(128, null, null, null));

        assertThatThrownBy(() -> runtime.exec(ref, new ExecRequest(List.of("python3", "-c", "s = 'x' * (512 * 1024 * 1024)"),
                null, null, null, Duration.ofSeconds(60)))).isInstanceOf(RuntimeFailureException.class).hasMessageContaining("out of memory");

        assertThat(runtime.status(ref)).isEqualTo(ContainerStatus.STOPPED);
        assertThat(runtime.stopReason(ref)).hasValueSatisfying(reason -> assertThat(reason).contains("out of memory").contains("128 MiB"));
        runtime.destroy(ref.sandbox());
    }

    @Test
    void limitsAboveWhatTheHostHasAreRefused() {
        assertThatThrownBy(() -> runtime.validate(spec(512, 1024 * 1024 * 16, null, null)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("diskMb");
    }
}
