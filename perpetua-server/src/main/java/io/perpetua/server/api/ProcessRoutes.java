package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.error.InvalidInputException;
import io.perpetua.processes.OutputChunk;
import io.perpetua.processes.OutputFollower;
import io.perpetua.processes.ProcessInfo;
import io.perpetua.processes.ProcessSpec;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.sandbox.SandboxId;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code /v1/sandboxes/{id}/processes}: background processes with stable ids, their input,
 * signals and output. Output is kept by the sandbox in its own files and read from the host,
 * by byte offset: {@code ?from=} for JSON, {@code Last-Event-ID} for a stream of events, so a
 * client that reconnects gets exactly what it missed.
 */
final class ProcessRoutes {

    private static final String BASE = "/v1/sandboxes/{id}/processes";
    private static final int PAGE_BYTES = 1024 * 1024;
    private static final Duration POLL = Duration.ofMillis(50);
    /** Idle streams send a comment this often: it keeps proxies from closing them and shows when the client left. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final SandboxProcesses processes;
    private final JsonCodec json;

    ProcessRoutes(SandboxProcesses processes, JsonCodec json) {
        this.processes = processes;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post(BASE, this::start);
        routes.get(BASE, ctx -> ctx.result(json.write(Map.of("processes",
                processes.list(id(ctx)).stream().map(ProcessView::of).toList()))));
        routes.get(BASE + "/{processId}", ctx -> ctx.result(json.write(ProcessView.of(processes.get(id(ctx), ctx.pathParam("processId"))))));
        routes.post(BASE + "/{processId}/stdin", this::stdin);
        routes.post(BASE + "/{processId}/signal", this::signal);
        routes.get(BASE + "/{processId}/logs", this::logs);
    }

    record StartBody(List<String> cmd, String cwd, Map<String, String> env, Boolean keepAlive, String name) {
    }

    record StdinBody(String data, Boolean eof) {
    }

    record SignalBody(String signal) {
    }

    /** A process as the API shows it. */
    record ProcessView(String id, String name, List<String> cmd, long pid, String status, Integer exitCode, Integer signal,
                       boolean keepAlive, String startedAt) {
        static ProcessView of(ProcessInfo p) {
            return new ProcessView(p.id(), p.name(), p.cmd(), p.pid(), p.status(), p.exitCode(), p.signal(), p.keepAlive(),
                    p.startedAt().toString());
        }
    }

    /** A piece of output in a JSON answer. */
    record ChunkView(String stream, String data, long next) {
        static ChunkView of(OutputChunk chunk) {
            return new ChunkView(chunk.stream(), chunk.text(), chunk.next());
        }
    }

    private void start(Context ctx) {
        StartBody body = json.read(ctx.bodyAsBytes(), StartBody.class, null);
        ProcessSpec spec = new ProcessSpec(body.cmd(), body.cwd(), body.env(), Boolean.TRUE.equals(body.keepAlive()), body.name());
        ProcessInfo started = processes.start(id(ctx), spec);
        ctx.status(HttpStatus.CREATED).result(json.write(ProcessView.of(started)));
    }

    private void stdin(Context ctx) {
        StdinBody body = json.read(ctx.bodyAsBytes(), StdinBody.class, null);
        InvalidInputException.check(body.data() != null || Boolean.TRUE.equals(body.eof()), "data", "give data, eof: true, or both");
        processes.writeStdin(id(ctx), ctx.pathParam("processId"), body.data(), Boolean.TRUE.equals(body.eof()));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void signal(Context ctx) {
        SignalBody body = json.read(ctx.bodyAsBytes(), SignalBody.class, null);
        processes.signal(id(ctx), ctx.pathParam("processId"), body.signal());
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void logs(Context ctx) {
        SandboxId id = id(ctx);
        String processId = ctx.pathParam("processId");
        processes.get(id, processId);
        if (EventStream.wanted(ctx)) {
            stream(ctx, processes.follow(id, processId, offset(ctx.header("Last-Event-ID"), "Last-Event-ID")));
            return;
        }
        OutputFollower output = processes.follow(id, processId, offset(ctx.queryParam("from"), "from"));
        OutputFollower.Poll page = output.poll(PAGE_BYTES);
        ctx.result(json.write(Map.of("chunks", page.chunks().stream().map(ChunkView::of).toList(), "next", output.position(),
                "process", ProcessView.of(page.process()))));
    }

    /**
     * Streams output as it is written, each event's id the offset after it, until the process
     * ended and all is sent. Each poll reads only what was written since the previous one.
     */
    private void stream(Context ctx, OutputFollower output) {
        EventStream events = EventStream.open(ctx);
        long lastSent = System.nanoTime();
        try {
            while (true) {
                OutputFollower.Poll poll = output.poll(PAGE_BYTES);
                for (OutputChunk chunk : poll.chunks()) {
                    events.send(chunk.stream(), Long.toString(chunk.next()), chunk.text());
                    lastSent = System.nanoTime();
                }
                if (poll.finished()) {
                    events.send("exit", Long.toString(output.position()), json.write(ProcessView.of(poll.process())));
                    return;
                }
                if (poll.chunks().isEmpty()) {
                    if (System.nanoTime() - lastSent > HEARTBEAT.toNanos()) {
                        events.heartbeat();
                        lastSent = System.nanoTime();
                    }
                    LockSupport.parkNanos(POLL.toNanos());
                }
            }
        } catch (UncheckedIOException e) {
            // The client went away; it reconnects with Last-Event-ID and loses nothing.
        }
    }

    private static long offset(String value, String field) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long offset = Long.parseLong(value.strip());
            InvalidInputException.check(offset >= 0, field, field + " must not be negative but was " + offset);
            return offset;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, field + " must be a byte offset (a number) but was '" + value + "'");
        }
    }

    private static SandboxId id(Context ctx) {
        return SandboxIdParameter.of(ctx);
    }
}
