package io.perpetua.server.e2b;

import io.perpetua.lifecycle.SandboxService;
import io.perpetua.processes.OutputChunk;
import io.perpetua.processes.OutputFollower;
import io.perpetua.processes.ProcessInfo;
import io.perpetua.processes.ProcessSpec;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.sandbox.SandboxId;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * envd's {@code process.Process} service over Perpetua's background processes: a process
 * started by {@code Start} is one of the sandbox's processes (with its id, output file, stdin
 * and signals), known to E2B clients by its pid in the sandbox. It outlives the stream that
 * started it: the stream only follows its output, and keeps the sandbox awake while it is open.
 */
final class ProcessRpc {

    private static final int CHUNK_BYTES = 64 * 1024;
    private static final Map<String, String> SIGNALS = Map.of("SIGNAL_SIGKILL", "KILL", "SIGNAL_SIGTERM", "TERM", "9", "KILL", "15", "TERM");
    /** What Go's os.ProcessState prints for a process a signal ended, as envd reports it. */
    private static final Map<Integer, String> SIGNAL_ENDINGS = Map.of(1, "hangup", 2, "interrupt", 9, "killed", 15, "terminated");

    private final SandboxService sandboxes;
    private final SandboxProcesses processes;

    ProcessRpc(SandboxService sandboxes, SandboxProcesses processes) {
        this.sandboxes = sandboxes;
        this.processes = processes;
    }

    /** Answers a unary call. */
    Object call(String method, SandboxId id, JsonNode request) {
        return switch (method) {
            case "List" -> list(id);
            case "SendSignal" -> signal(id, request);
            case "SendInput" -> input(id, request);
            case "CloseStdin" -> closeStdin(id, request);
            case "Start", "Connect" -> throw ConnectError.invalid(method + " is a streaming call: send it as " + ConnectStream.CONTENT_TYPE);
            default -> throw new ConnectError("unimplemented", "process.Process/" + method + " is not implemented");
        };
    }

    /** Serves a streaming call; its errors are sent in the stream. */
    void stream(String method, SandboxId id, JsonNode request, ConnectStream out, StreamLimits limits) {
        switch (method) {
            case "Start" -> start(id, request, out, limits);
            case "Connect" -> connect(id, request, out, limits);
            default -> throw new ConnectError("unimplemented", "process.Process/" + method + " is not a streaming call here");
        }
    }

    private void start(SandboxId id, JsonNode request, ConnectStream out, StreamLimits limits) {
        JsonNode config = Rpc.object(request, "process");
        List<String> cmd = new ArrayList<>();
        cmd.add(Rpc.requiredString(config, "cmd"));
        cmd.addAll(Rpc.strings(config, "args"));
        ProcessSpec spec = new ProcessSpec(cmd, Rpc.string(config, "cwd"), Rpc.stringMap(config, "envs"), false, null);
        SandboxService.Lease awake = sandboxes.hold(id);
        try {
            SandboxProcesses.Started started = processes.startFollowed(id, spec);
            try (OutputFollower output = started.output()) {
                out.send(event("start", Map.of("pid", started.process().pid())));
                relay(output, out, limits);
            }
        } finally {
            awake.close();
        }
    }

    private void connect(SandboxId id, JsonNode request, ConnectStream out, StreamLimits limits) {
        SandboxService.Lease awake = sandboxes.hold(id);
        try {
            ProcessInfo process = running(id, request);
            try (OutputFollower output = processes.follow(id, process.id(), 0)) {
                skipWritten(output);
                out.send(event("start", Map.of("pid", process.pid())));
                relay(output, out, limits);
            }
        } finally {
            awake.close();
        }
    }

    /** Like envd, a client that connects gets what the process writes from now on, not what it wrote before. */
    private static void skipWritten(OutputFollower output) {
        boolean more = true;
        while (more) {
            more = !output.poll(CHUNK_BYTES).chunks().isEmpty();
        }
    }

    /** Sends the process's output as it comes, then its end; stops at the deadline or when the client goes. */
    private static void relay(OutputFollower output, ConnectStream out, StreamLimits limits) {
        try {
            StreamRelay.run(() -> {
                OutputFollower.Poll poll = output.poll(CHUNK_BYTES);
                for (OutputChunk chunk : poll.chunks()) {
                    out.send(event("data", Map.of(chunk.stream(), Base64.getEncoder().encodeToString(chunk.bytes()))));
                }
                if (poll.finished()) {
                    out.send(event("end", ending(poll.process())));
                    return StreamRelay.Step.DONE;
                }
                return poll.chunks().isEmpty() ? StreamRelay.Step.IDLE : StreamRelay.Step.SENT;
            }, StreamRelay.waiter(output::await, output::hearsNews), out, limits, event("keepalive", Map.of()), "the process goes on");
        } catch (UncheckedIOException e) {
            // The client went away: the process goes on, as envd's do.
        }
    }

    /** envd's end event: the exit code (-1 for a process a signal ended), whether it exited, and Go's description. */
    private static Map<String, Object> ending(ProcessInfo process) {
        Map<String, Object> end = new LinkedHashMap<>();
        if (process.exitCode() != null) {
            end.put("exitCode", process.exitCode());
            end.put("exited", true);
            end.put("status", "exit status " + process.exitCode());
        } else {
            int signal = process.signal() == null ? 9 : process.signal();
            end.put("exitCode", -1);
            end.put("exited", false);
            end.put("status", "signal: " + SIGNAL_ENDINGS.getOrDefault(signal, "signal " + signal));
        }
        return end;
    }

    private Map<String, Object> list(SandboxId id) {
        List<Map<String, Object>> running = new ArrayList<>();
        for (ProcessInfo process : processes.list(id)) {
            if (!process.running()) {
                continue;
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("cmd", process.cmd().getFirst());
            config.put("args", process.cmd().subList(1, process.cmd().size()));
            config.put("envs", Map.of());
            Map<String, Object> listed = new LinkedHashMap<>();
            listed.put("pid", process.pid());
            listed.put("config", config);
            if (process.name() != null) {
                listed.put("tag", process.name());
            }
            running.add(listed);
        }
        return Map.of("processes", running);
    }

    private Map<String, Object> signal(SandboxId id, JsonNode request) {
        String signal = Rpc.requiredString(request, "signal");
        String name = SIGNALS.get(signal);
        if (name == null) {
            throw ConnectError.invalid("signal must be SIGNAL_SIGKILL or SIGNAL_SIGTERM but was " + signal);
        }
        processes.signal(id, running(id, request).id(), name);
        return Map.of();
    }

    private Map<String, Object> input(SandboxId id, JsonNode request) {
        JsonNode input = Rpc.object(request, "input");
        String data = Rpc.string(input, "stdin") != null ? Rpc.string(input, "stdin") : Rpc.string(input, "pty");
        if (data == null) {
            throw ConnectError.invalid("input.stdin is required");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw ConnectError.invalid("input.stdin must be base64: " + e.getMessage());
        }
        processes.writeStdin(id, running(id, request).id(), new String(bytes, StandardCharsets.UTF_8), false);
        return Map.of();
    }

    private Map<String, Object> closeStdin(SandboxId id, JsonNode request) {
        processes.writeStdin(id, running(id, request).id(), null, true);
        return Map.of();
    }

    /** The running process the request's {@code process} selector names, by pid or by tag. */
    private ProcessInfo running(SandboxId id, JsonNode request) {
        JsonNode selector = Rpc.object(request, "process");
        long pid = Rpc.integer(selector, "pid", -1);
        String tag = Rpc.string(selector, "tag");
        if (pid < 0 && tag == null) {
            throw ConnectError.invalid("process.pid or process.tag is required");
        }
        return processes.list(id).stream().filter(ProcessInfo::running)
                .filter(process -> pid >= 0 ? process.pid() == pid : tag.equals(process.name()))
                .findFirst()
                .orElseThrow(() -> ConnectError.notFound("no running process " + (pid >= 0 ? "with pid " + pid : "tagged " + tag)));
    }

    private static Map<String, Object> event(String kind, Map<String, Object> body) {
        return Map.of("event", Map.of(kind, body));
    }
}
