package io.perpetua.runtime.gvisor;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.runtime.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command in a container: {@code runsc exec} starts the template's {@code run}
 * helper, which gives the command pipes made inside the sandbox (a background process holding
 * the runsc client's host pipes would make the sandbox impossible to restore from a
 * checkpoint), enforces the timeout on the command's whole process group, and copies the
 * output to its own stdio. Output is collected from two pipes, stdout and stderr kept apart.
 */
final class CommandExecution {

    /** Most bytes of stdout, and of stderr, kept per command. */
    static final int OUTPUT_LIMIT = 8 * 1024 * 1024;
    /** After the command exits, how long its output may take to arrive before the result is returned without it. */
    private static final Duration PIPE_GRACE = Duration.ofMillis(200);
    /** The helper sends SIGKILL this long after SIGTERM; the daemon gives up on the runsc client later still. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Duration BACKSTOP = Duration.ofSeconds(10);
    /** runsc's exit status when it could not start the helper at all. */
    private static final int RUNSC_EXEC_FAILED = 128;
    private static final Set<Integer> KILLED_BY_TIMEOUT = Set.of(128 + 15, 128 + 9);

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
        int exitCode = await(process, request.timeout().plus(KILL_GRACE).plus(BACKSTOP), ref);
        join(outReader);
        join(errReader);
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        if (exitCode == RUNSC_EXEC_FAILED && stderr.text().contains("executing processes for container")) {
            throw notStarted(ref, request, stderr.text());
        }
        boolean timedOut = KILLED_BY_TIMEOUT.contains(exitCode) && duration.compareTo(request.timeout()) >= 0;
        return new ExecResult(exitCode, stdout.text(), stderr.text(), duration, timedOut, stdout.truncated() || stderr.truncated());
    }

    /** Starts a command whose streams the caller uses; see {@link RunningCommand}. */
    RunningCommand spawn(ContainerRef ref, ExecRequest request) {
        return new StreamedCommand(start(ref, request), request.timeout().plus(KILL_GRACE).plus(BACKSTOP), ref);
    }

    /** A command of {@link #spawn}: the runsc client's pipes are the command's streams. */
    private record StreamedCommand(Process process, Duration limit, ContainerRef ref) implements RunningCommand {

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public int waitFor() {
            return await(process, limit, ref);
        }

        @Override
        public void close() {
            // The in-sandbox helper stops the command when its output has nowhere to go.
            process.destroyForcibly();
        }
    }

    private Process start(ContainerRef ref, ExecRequest request) {
        List<String> command = runsc.command("exec");
        if (request.cwd() != null) {
            command.add("--cwd=" + request.cwd());
        }
        request.env().forEach((name, value) -> command.add("--env=" + name + "=" + value));
        command.add(ref.containerId());
        command.add(DefaultTemplate.RUN);
        command.add(Long.toString(request.timeout().toMillis()));
        command.addAll(request.cmd());
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot start runsc exec in " + ref.containerId() + ": " + e.getMessage(), e);
        }
    }

    /** runsc could not even start the helper: a bad working directory is the caller's, anything else the runtime's. */
    private static RuntimeException notStarted(ContainerRef ref, ExecRequest request, String message) {
        if (message.contains("working directory")) {
            return new InvalidInputException("cwd", "cwd '" + request.cwd() + "' does not exist in the sandbox");
        }
        return new RuntimeFailureException("cannot run a command in " + ref.containerId() + ": " + message.strip());
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

    private static int await(Process process, Duration limit, ContainerRef ref) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RuntimeFailureException("command in " + ref.containerId() + " was still running "
                        + limit.toSeconds() + " s after it started, past its timeout");
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
