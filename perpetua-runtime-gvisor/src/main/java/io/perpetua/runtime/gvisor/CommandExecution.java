package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command in a container through {@code runsc exec} and collects its result.
 *
 * <p>The time limit is enforced inside the sandbox by coreutils' {@code timeout}, which kills
 * the command's whole process group (killing the runsc client would leave the command
 * running). The daemon keeps a backstop of its own a little later. Output is collected from
 * pipes, separately for stdout and stderr (runsc clobbers one file given for both).
 */
final class CommandExecution {

    /** Most bytes of stdout, and of stderr, kept per command. */
    static final int OUTPUT_LIMIT = 8 * 1024 * 1024;
    /** After the command exits, how long its output pipes may stay open before the result is returned without their rest. */
    private static final Duration PIPE_GRACE = Duration.ofMillis(200);
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Duration BACKSTOP = Duration.ofSeconds(10);
    /** runsc's exit status when it could not start the command at all. */
    private static final int RUNSC_EXEC_FAILED = 128;
    private static final int TIMEOUT_EXIT = 124;

    private final RunscCli runsc;

    CommandExecution(RunscCli runsc) {
        this.runsc = runsc;
    }

    ExecResult run(ContainerRef ref, ExecRequest request) {
        long started = System.nanoTime();
        Process process = start(ref, request);
        BoundedOutput stdout = new BoundedOutput(process.getInputStream(), OUTPUT_LIMIT);
        BoundedOutput stderr = new BoundedOutput(process.getErrorStream(), OUTPUT_LIMIT);
        Thread outReader = Thread.ofVirtual().name("exec-stdout-" + ref.containerId()).start(stdout);
        Thread errReader = Thread.ofVirtual().name("exec-stderr-" + ref.containerId()).start(stderr);
        feed(process, request.stdin());
        int exitCode = await(process, request.timeout(), ref);
        join(outReader);
        join(errReader);
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        String errorText = stderr.text();
        if (exitCode == RUNSC_EXEC_FAILED && errorText.contains("executing processes for container")) {
            return new ExecResult(127, stdout.text(), errorText, duration, false, false);
        }
        boolean timedOut = exitCode == TIMEOUT_EXIT && duration.compareTo(request.timeout()) >= 0;
        return new ExecResult(exitCode, stdout.text(), errorText, duration, timedOut,
                stdout.truncated() || stderr.truncated());
    }

    private Process start(ContainerRef ref, ExecRequest request) {
        List<String> command = runsc.command("exec");
        if (request.cwd() != null) {
            command.add("--cwd=" + request.cwd());
        }
        request.env().forEach((name, value) -> command.add("--env=" + name + "=" + value));
        command.add(ref.containerId());
        command.addAll(timeLimited(request));
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot start runsc exec in " + ref.containerId() + ": " + e.getMessage(), e);
        }
    }

    private static List<String> timeLimited(ExecRequest request) {
        List<String> argv = new ArrayList<>(List.of("timeout", "-k", KILL_GRACE.toSeconds() + "s",
                String.format(Locale.ROOT, "%.3fs", request.timeout().toMillis() / 1000.0)));
        argv.addAll(request.cmd());
        return argv;
    }

    private static void feed(Process process, String stdin) {
        Thread.ofVirtual().name("exec-stdin").start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The command exited without reading all of its input; that is its business.
            }
        });
    }

    private static int await(Process process, Duration timeout, ContainerRef ref) {
        Duration limit = timeout.plus(KILL_GRACE).plus(BACKSTOP);
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RuntimeFailureException("command in " + ref.containerId() + " outlived its timeout of "
                        + timeout.toSeconds() + " s and the runsc client was killed");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while running a command in " + ref.containerId(), e);
        }
    }

    private static void join(Thread reader) {
        try {
            reader.join(PIPE_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
