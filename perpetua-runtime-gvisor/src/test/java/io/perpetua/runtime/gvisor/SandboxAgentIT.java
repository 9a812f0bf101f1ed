package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent in every networked sandbox runs API commands: the same results as runsc exec gives
 * (environment, working directory, stdin, exit status, timeout, a missing program), background
 * processes that outlive their command, checkpoint and restore right after a command, and the
 * fallback to runsc exec while the agent is gone (init starts it again). It runs detached
 * commands, which outlive their caller, and supervises background processes itself.
 */
class SandboxAgentIT {

    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
            Map.of(), Map.of(), 512, 1.0);
    /** Prints the name of the process that started the command: the agent, or runsc exec's helper. */
    private static final ExecRequest PARENT = ExecRequest.of("sh", "-c", "cat /proc/$PPID/comm");

    private static Path directory;
    private static RunscRuntime runtime;
    private static ContainerRef ref;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("perpetua-agent-it-");
        runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", "perpetua-it-" + Long.toHexString(System.nanoTime()),
                new NetworkConfig(true, "10.232.0.0/16")));
        ref = new ContainerRef(SandboxId.random(), 1);
        runtime.start(ref, SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(ref, PARENT).stdout().equals("agent\n"));
    }

    @AfterAll
    static void removeEverything() {
        RuntimeCleanup.removeEverything(runtime, directory);
    }

    @Test
    void runsCommandsAsRunscExecWould() {
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "echo $EXTRA $(pwd); cat; echo oops >&2; exit 3"),
                "/tmp", Map.of("EXTRA", "world"), "from stdin\n", null));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("world /tmp\nfrom stdin\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(runtime.exec(ref, ExecRequest.of("env")).stdout()).contains("PATH=").contains("HOME=/root");

        ExecResult missing = runtime.exec(ref, ExecRequest.of("no-such-program"));
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr()).contains("no-such-program");
        assertThatThrownBy(() -> runtime.exec(ref, new ExecRequest(List.of("true"), "/no/such/dir", Map.of(), null, null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("/no/such/dir");
    }

    @Test
    void largeInputAndOutputPassBothWays() {
        String input = "0123456789abcdef".repeat(64 * 1024);
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "cat; head -c 3000000 /dev/zero | tr '\\0' x"),
                null, Map.of(), input, null));
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).hasSize(input.length() + 3_000_000).startsWith(input);
    }

    @Test
    void charactersWrittenOneByteAtATimeOrCutByTheOutputLimitStayWhole() {
        ExecResult split = runtime.exec(ref, ExecRequest.of("sh", "-c",
                "for b in 303 251 342 202 254 360 237 230 200; do printf \"\\\\$b\"; sleep 0.05; done"));
        assertThat(split.stdout()).isEqualTo("é€😀");

        ExecResult cut = runtime.exec(ref, ExecRequest.of("sh", "-c",
                "head -c " + (CommandExecution.OUTPUT_LIMIT - 1) + " /dev/zero | tr '\\0' x; printf '\\342\\202\\254'"));
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.stdout()).hasSize(CommandExecution.OUTPUT_LIMIT - 1).endsWith("xxx");
    }

    @Test
    void aTimeoutStopsTheCommandsWholeProcessGroup() {
        ExecResult result = runtime.exec(ref, new ExecRequest(List.of("sh", "-c", "sleep 31 & sleep 31"), null, Map.of(), null,
                Duration.ofSeconds(1)));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(128 + 15);
        assertThat(runtime.exec(ref, ExecRequest.of("sh", "-c", "ps -eo args | grep -c '^sleep 31' || true")).stdout()).isEqualTo("0\n");
    }

    @Test
    void aBackgroundProcessOutlivesItsCommandAndTheSandboxStillHibernates() {
        ExecResult started = runtime.exec(ref, ExecRequest.of("sh", "-c", "sleep 600 & echo started"));
        assertThat(started.stdout()).isEqualTo("started\n");
        assertThat(started.duration()).isLessThan(Duration.ofSeconds(5));

        checkpointAndRestore("agent-image");
        assertThat(runtime.exec(ref, PARENT).stdout()).isEqualTo("agent\n");
        assertThat(runtime.exec(ref, ExecRequest.of("sh", "-c", "ps -eo args | grep -c '^sleep 600'")).stdout()).isEqualTo("1\n");
    }

    @Test
    void withoutItsAgentASandboxStillRunsCommandsAndInitStartsTheAgentAgain() {
        ExecResult killed = runtime.exec(ref, ExecRequest.of("sh", "-c", "kill -9 $PPID; sleep 1"));
        assertThat(killed.exitCode()).isEqualTo(SandboxAgent.LOST);
        assertThat(killed.stderr()).contains("lost the command");
        assertThat(runtime.exec(ref, ExecRequest.of("echo", "still here")).stdout()).isEqualTo("still here\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(ref, PARENT).stdout().equals("agent\n"));

        // The killed agent's connection was reset, not left closing: a checkpoint meets nothing it cannot save.
        checkpointAndRestore("after-kill-image");
        assertThat(runtime.exec(ref, ExecRequest.of("echo", "restored")).stdout()).isEqualTo("restored\n");
    }

    @Test
    void aDetachedCommandRunsOnWhenItsCallerLetsGo() {
        Path done = runtime.hostView(ref.sandbox()).resolve("tmp/detached-done");
        RunningCommand command = runtime.startDetached(ref, ExecRequest.of("sh", "-c", "sleep 1; echo done > /tmp/detached-done"))
                .orElseThrow();
        command.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(done));
    }

    @Test
    void theAgentSupervisesAProcessItselfTellingItsCallerOfOutputAndEndAndTakingItsInput() throws Exception {
        String dir = "/run/perpetua/processes/pragentinputtest";
        RunningCommand supervisor = attach(dir, "sh", "-c", "read line; echo \"got $line\"; cat > /dev/null; echo bye >&2");
        InputStream events = supervisor.stdout();
        String[] pids = firstLine(events).split(" ");
        assertThat(pids).hasSize(3);
        assertThat(pids[2]).isEqualTo("agent");
        Path record = runtime.hostView(ref.sandbox()).resolve(dir.substring(1));
        assertThat(Files.readString(record.resolve("meta"))).isEqualTo("1\0false\0now\0\0sh");

        assertThat(supervise("--input", dir, "hello\n").exitCode()).isZero();
        assertThat((char) events.read()).isEqualTo('o');
        assertThat(supervise("--close-input", dir, null).exitCode()).isZero();
        assertThat(new String(events.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ox");
        assertThat(supervisor.waitFor()).isZero();
        supervisor.close();

        assertThat(Files.readString(record.resolve("exit"))).isEqualTo("exited 0\n");
        assertThat(Files.readAllBytes(record.resolve("output"))).containsSubsequence("got hello\n".getBytes(StandardCharsets.UTF_8))
                .containsSubsequence("bye\n".getBytes(StandardCharsets.UTF_8));
        ExecResult late = supervise("--input", dir, "too late\n");
        assertThat(late.exitCode()).isEqualTo(1);
        assertThat(late.stderr()).contains("takes no input");
    }

    @Test
    void aSupervisedProcessWhoseCallerLetGoRunsToItsEndAndTheSandboxStillHibernates() throws Exception {
        String dir = "/run/perpetua/processes/pragentletgotest";
        RunningCommand supervisor = attach(dir, "sh", "-c", "sleep 1; echo late");
        firstLine(supervisor.stdout());
        supervisor.close();
        Path exit = runtime.hostView(ref.sandbox()).resolve(dir.substring(1)).resolve("exit");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(exit));
        assertThat(Files.readString(exit)).isEqualTo("exited 0\n");

        // Neither the supervisor nor its connection is left behind: the checkpoint meets no connection.
        checkpointAndRestore("let-go-image");
        assertThat(runtime.exec(ref, ExecRequest.of("echo", "restored")).stdout()).isEqualTo("restored\n");
    }

    @Test
    void aProcessThatClosesItsOutputBeforeItEndsIsSeenToEnd() {
        // Its output closes before it can be reaped (as every process's does, for a moment): the agent must look again.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            String dir = "/run/perpetua/processes/pragentclosesout";
            RunningCommand supervisor = attach(dir, "sh", "-c", "exec >&- 2>&-; sleep 0.3; exit 4");
            firstLine(supervisor.stdout());
            assertThat(supervisor.waitFor()).isZero();
            supervisor.close();
            assertThat(Files.readString(runtime.hostView(ref.sandbox()).resolve(dir.substring(1)).resolve("exit"))).isEqualTo("exited 4\n");
        });
    }

    @Test
    void aProgramTheAgentCannotRunIsReportedAsTheSuperviseProgramWould() throws Exception {
        RunningCommand supervisor = attach("/run/perpetua/processes/pragentmissingtst", "no-such-program");
        assertThat(firstLine(supervisor.stdout())).startsWith("error cannot run 'no-such-program'");
        assertThat(supervisor.waitFor()).isEqualTo(127);
        supervisor.close();
    }

    /** Checkpoints the sandbox into {@code image} and restores it as its next container. */
    private static void checkpointAndRestore(String image) {
        Path imageDirectory = directory.resolve(image);
        runtime.checkpoint(ref, imageDirectory);
        ContainerRef next = ref.next();
        runtime.restore(next, SPEC, imageDirectory);
        ref = next;
    }

    /** {@code supervise --attach} as the daemon starts it, its meta record sent. */
    private static RunningCommand attach(String dir, String... cmd) throws IOException {
        List<String> supervise = new ArrayList<>(List.of(DefaultTemplate.SUPERVISE, "--attach", dir, "1000000"));
        supervise.addAll(List.of(cmd));
        RunningCommand supervisor = runtime.startDetached(ref, new ExecRequest(supervise, null, Map.of(), null, null)).orElseThrow();
        try (OutputStream meta = supervisor.stdin()) {
            meta.write("1\0false\0now\0\0sh".getBytes(StandardCharsets.UTF_8));
        }
        return supervisor;
    }

    private static ExecResult supervise(String verb, String dir, String stdin) {
        return runtime.exec(ref, new ExecRequest(List.of(DefaultTemplate.SUPERVISE, verb, dir), null, Map.of(), stdin, null));
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString();
    }

    @Test
    void aSandboxKilledMidCommandIsReportedAsStopped() throws Exception {
        ContainerRef doomed = new ContainerRef(SandboxId.random(), 1);
        runtime.start(doomed, new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(), Map.of(), 128, 1.0));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.exec(doomed, PARENT).stdout().equals("agent\n"));
            assertThatThrownBy(() -> runtime.exec(doomed, ExecRequest.of("python3", "-c", "x = 'a' * (1 << 30); print(len(x))")))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("stopped while running python3")
                    .hasMessageContaining("out of memory");
        } finally {
            runtime.destroy(doomed.sandbox());
        }
    }
}
