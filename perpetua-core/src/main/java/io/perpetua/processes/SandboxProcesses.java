package io.perpetua.processes;

import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.id.RandomIds;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.runtime.SandboxHelper;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Background processes of sandboxes: started under the runtime's supervisor, which keeps their
 * output and exit status in the sandbox's own files (so they survive standby, hibernation and
 * daemon restarts with the same ids), and reached afterwards for input and signals. Every call
 * but reading output wakes the sandbox and counts as activity.
 */
public final class SandboxProcesses {

    /** Most output kept per process; beyond it the output is marked truncated. */
    public static final long OUTPUT_LIMIT = 16L * 1024 * 1024;
    private static final Duration CONTROL_LIMIT = Duration.ofSeconds(60);
    /** The supervisor's exit status for arguments it does not understand. */
    private static final int USAGE = 2;
    private static final Pattern ID = Pattern.compile("pr[a-z2-7]{14}");
    private static final int MAX_PIDS_LINE = 4096;
    private static final Set<String> SIGNALS = Set.of("HUP", "INT", "QUIT", "KILL", "TERM", "USR1", "USR2", "STOP", "CONT", "WINCH", "ALRM");

    private final SandboxService sandboxes;
    private final SandboxRuntime runtime;
    private final Clock clock;

    /**
     * @param sandboxes the engine through which processes reach their sandbox
     * @param runtime   for the supervisor command and the host view of each sandbox
     * @param clock     dates the processes
     */
    public SandboxProcesses(SandboxService sandboxes, SandboxRuntime runtime, Clock clock) {
        this.sandboxes = sandboxes;
        this.runtime = runtime;
        this.clock = clock;
    }

    /**
     * Starts a process in the background and returns it running.
     *
     * @throws InvalidInputException naming {@code cmd[0]} if the program cannot be run
     */
    public ProcessInfo start(SandboxId id, ProcessSpec spec) {
        Started started = startFollowed(id, spec);
        started.output().close();
        return started.process();
    }

    /** A process just started, and a follower of its output from its first byte, which the caller closes. */
    public record Started(ProcessInfo process, OutputFollower output) {
    }

    /**
     * Starts a process in the background, as {@link #start} does, and follows its output from its
     * first byte. Where the runtime can, the process is supervised by the sandbox's agent, in a
     * thread, rather than by a supervise program of its own (under ptrace a program costs a
     * process ~10 ms more to start), and the agent tells the follower of its output and its end
     * as they happen. Closing the follower leaves the process running.
     *
     * @throws InvalidInputException naming {@code cmd[0]} if the program cannot be run
     */
    public Started startFollowed(SandboxId id, ProcessSpec spec) {
        String processId = RandomIds.next("pr", 14);
        Instant startedAt = clock.instant();
        String meta = ProcessFiles.meta(spec, startedAt);
        Optional<Started> attached = startAttached(id, spec, processId, startedAt, meta);
        if (attached.isPresent()) {
            return attached.get();
        }
        startRecorded(id, spec, processId, meta);
        return new Started(get(id, processId), follow(id, processId, 0));
    }

    /**
     * Starts the process under a supervisor the caller listens to: {@code supervise --attach} as
     * a detached command, which the agent does itself. Empty if nothing could take it (no agent;
     * an older one runs the supervise program of its day, which refuses the arguments).
     */
    private Optional<Started> startAttached(SandboxId id, ProcessSpec spec, String processId, Instant startedAt, String meta) {
        ExecRequest request = new ExecRequest(supervisor("--attach", processId, spec), spec.cwd(), spec.env(), null, CONTROL_LIMIT);
        Optional<RunningCommand> attached = sandboxes.startDetached(id, request);
        if (attached.isEmpty()) {
            return Optional.empty();
        }
        RunningCommand supervisor = attached.get();
        try {
            try (OutputStream stdin = supervisor.stdin()) {
                stdin.write(meta.getBytes(StandardCharsets.UTF_8));
            }
            InputStream stdout = supervisor.stdout();
            String pids = firstLine(stdout);
            if (pids == null || pids.startsWith("error ")) {
                int status = supervisor.waitFor();
                String stderr = pids != null ? pids.substring("error ".length())
                        : new String(supervisor.stderr().readAllBytes(), StandardCharsets.UTF_8);
                supervisor.close();
                if (status == USAGE && stderr.contains("usage: supervise")) {
                    return Optional.empty();
                }
                throw notStarted(id, status, stderr);
            }
            ProcessInfo process = new ProcessInfo(processId, spec.name(), spec.cmd(), Long.parseLong(pids.split(" ")[1]), "running",
                    null, null, spec.keepAlive(), startedAt);
            OutputFollower output = new OutputFollower(() -> find(id, processId), files(id).cursor(processId, 0),
                    () -> sandboxes.touch(id), new SupervisorEvents(supervisor, stdout));
            return Optional.of(new Started(process, output));
        } catch (IOException e) {
            supervisor.close();
            throw new RuntimeFailureException("lost the supervisor of a new process in sandbox " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            supervisor.close();
            throw e;
        }
    }

    /** Starts the process under a supervisor that detaches, and records it; for runtimes that cannot start one attached. */
    private void startRecorded(SandboxId id, ProcessSpec spec, String processId, String meta) {
        List<String> supervise = runtime.helper(SandboxHelper.SUPERVISE);
        ExecResult started = sandboxes.exec(id, new ExecRequest(supervisor("--record", processId, spec), spec.cwd(), spec.env(), meta,
                CONTROL_LIMIT));
        if (started.exitCode() == USAGE && started.stderr().contains("usage: supervise")) {
            started = startWithShell(id, spec, supervise, directory(processId), meta);
        }
        if (started.exitCode() != 0) {
            throw notStarted(id, started.exitCode(), started.stderr());
        }
    }

    private List<String> supervisor(String mode, String processId, ProcessSpec spec) {
        List<String> cmd = with(runtime.helper(SandboxHelper.SUPERVISE), mode, directory(processId), Long.toString(OUTPUT_LIMIT));
        cmd.addAll(spec.cmd());
        return cmd;
    }

    private static List<String> with(List<String> command, String... arguments) {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of(arguments));
        return cmd;
    }

    private static String directory(String processId) {
        return ProcessFiles.SANDBOX_DIRECTORY + "/" + processId;
    }

    /** Why the supervisor could not start the process: the program (a caller's mistake), or the sandbox. */
    private static RuntimeException notStarted(SandboxId id, int status, String stderr) {
        if (status == 127 || status == 126) {
            return new InvalidInputException("cmd[0]", stderr.strip().replaceFirst("^perpetua: ", ""));
        }
        return new RuntimeFailureException("cannot start a process in sandbox " + id + " (exit " + status + "): " + stderr.strip());
    }

    /** The supervisor's pids line (or its error), or null if it ended without one. */
    private static String firstLine(InputStream stdout) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = stdout.read()) >= 0 && b != '\n') {
            if (line.size() < MAX_PIDS_LINE) {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /**
     * For a sandbox whose supervisor predates {@code --record} (started by an older daemon, and
     * not restarted since): a shell makes the process's directory and records it around the
     * supervisor, at the cost of three more programs.
     */
    private ExecResult startWithShell(SandboxId id, ProcessSpec spec, List<String> supervise, String directory, String meta) {
        String supervisor = supervise.stream().map(SandboxProcesses::quote).collect(Collectors.joining(" "));
        String script = "d=$1; l=$2; shift 2; mkdir -p \"$d\" && cat > \"$d/meta\" && " + supervisor
                + " \"$d\" \"$l\" \"$@\" > \"$d/pids\" && cat \"$d/pids\"";
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh", directory, Long.toString(OUTPUT_LIMIT)));
        cmd.addAll(spec.cmd());
        return sandboxes.exec(id, new ExecRequest(cmd, spec.cwd(), spec.env(), meta, CONTROL_LIMIT));
    }

    /** The sandbox's processes, running and ended, oldest first. */
    public List<ProcessInfo> list(SandboxId id) {
        sandboxes.resume(id);
        return files(id).list();
    }

    /**
     * One process.
     *
     * @throws NotFoundException with code {@code process_not_found} if the sandbox has no such process
     */
    public ProcessInfo get(SandboxId id, String processId) {
        sandboxes.resume(id);
        return find(id, processId);
    }

    /** Writes {@code data} to the process's input, then ends its input if {@code eof}. */
    public void writeStdin(SandboxId id, String processId, String data, boolean eof) {
        requireRunning(find(id, processId));
        ProcessFiles.Supervisor supervisor = files(id).supervisor(processId);
        List<String> supervise = runtime.helper(SandboxHelper.SUPERVISE);
        if (data != null && !data.isEmpty()) {
            control(id, supervisor.inAgent() ? with(supervise, "--input", directory(processId))
                    : List.of("sh", "-c", "cat > /proc/$1/fd/63", "sh", Long.toString(supervisor.pid())), data);
        }
        if (eof) {
            control(id, supervisor.inAgent() ? with(supervise, "--close-input", directory(processId))
                    : List.of("kill", "-s", "USR1", Long.toString(supervisor.pid())), null);
        }
    }

    /** Sends {@code signal} (a name such as {@code TERM}, or a number) to the process and everything it started. */
    public void signal(SandboxId id, String processId, String signal) {
        String name = signalName(signal);
        ProcessInfo process = requireRunning(find(id, processId));
        // The shell's kill: procps' kill cannot be told that "-<pid>" is a process group.
        control(id, List.of("sh", "-c", "kill -s \"$1\" -- \"-$2\"", "sh", name, Long.toString(process.pid())), null);
    }

    /**
     * A follower of the process's output from byte {@code from} on: each poll reads only what was
     * written since the previous one. Reading output does not wake the sandbox, but output that
     * flows counts as activity and keeps an awake sandbox awake.
     *
     * @throws InvalidInputException naming {@code from} if it is not an offset handed out before
     */
    public OutputFollower follow(SandboxId id, String processId, long from) {
        find(id, processId);
        OutputCursor cursor = files(id).cursor(processId, from);
        return new OutputFollower(() -> find(id, processId), cursor, () -> sandboxes.touch(id));
    }

    /** The process as its files say now, without waking the sandbox. */
    public ProcessInfo find(SandboxId id, String processId) {
        sandboxes.get(id);
        if (processId == null || !ID.matcher(processId).matches()) {
            throw notFound(id, processId);
        }
        return files(id).read(processId).orElseThrow(() -> notFound(id, processId));
    }

    private void control(SandboxId id, List<String> cmd, String stdin) {
        ExecResult result = sandboxes.exec(id, new ExecRequest(cmd, "/", null, stdin, CONTROL_LIMIT));
        if (result.exitCode() != 0) {
            throw new ConflictException("process_unreachable", "the process did not take it (exit " + result.exitCode() + "): "
                    + result.stderr().strip());
        }
    }

    private ProcessFiles files(SandboxId id) {
        return new ProcessFiles(runtime.hostView(id));
    }

    private static ProcessInfo requireRunning(ProcessInfo process) {
        if (!process.running()) {
            throw new ConflictException("process_ended", "process " + process.id() + " has " + process.status()
                    + (process.exitCode() != null ? " with code " + process.exitCode() : "")
                    + (process.signal() != null ? " by signal " + process.signal() : ""));
        }
        return process;
    }

    private static String signalName(String signal) {
        InvalidInputException.check(signal != null && !signal.isBlank(), "signal", "signal is required, such as TERM or 9");
        String name = signal.strip().toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        if (name.matches("\\d{1,2}")) {
            int number = Integer.parseInt(name);
            InvalidInputException.check(number >= 1 && number <= 64, "signal", "signal must be between 1 and 64 but was " + number);
            return name;
        }
        InvalidInputException.check(SIGNALS.contains(name), "signal", "signal must be one of " + SIGNALS + " or a number but was '" + signal + "'");
        return name;
    }

    private static NotFoundException notFound(SandboxId id, String processId) {
        return new NotFoundException("process_not_found", "sandbox " + id + " has no process '" + processId + "'");
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
