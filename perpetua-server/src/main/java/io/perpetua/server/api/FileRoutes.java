package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.perpetua.error.InvalidInputException;
import io.perpetua.files.FileInfo;
import io.perpetua.files.FileListing;
import io.perpetua.files.SandboxFiles;
import io.perpetua.files.SandboxPath;
import io.perpetua.processes.FileWatch;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code /v1/sandboxes/{id}/files}: download, upload (raw bytes, streamed both ways), stat,
 * list, mkdir, move and delete. Paths are resolved by the sandbox's own kernel.
 */
final class FileRoutes {

    private static final String BASE = "/v1/sandboxes/{id}/files";

    private static final Duration POLL = Duration.ofMillis(50);
    /** Idle streams send a comment this often: it keeps proxies from closing them and shows when the client left. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final SandboxFiles files;
    private final SandboxProcesses processes;
    private final SandboxRuntime runtime;
    private final JsonCodec json;

    FileRoutes(SandboxFiles files, SandboxProcesses processes, SandboxRuntime runtime, JsonCodec json) {
        this.files = files;
        this.processes = processes;
        this.runtime = runtime;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.get(BASE, this::download);
        routes.put(BASE, this::upload);
        routes.delete(BASE, this::delete);
        routes.get(BASE + "/stat", ctx -> info(ctx, files.stat(id(ctx), path(ctx))));
        routes.get(BASE + "/list", this::list);
        routes.post(BASE + "/mkdir", this::mkdir);
        routes.post(BASE + "/move", this::move);
        routes.get(BASE + "/watch", this::watch);
    }

    /** Request bodies of mkdir and move. */
    record MkdirBody(String path, Boolean parents) {
    }

    record MoveBody(String from, String to, Boolean overwrite) {
    }

    /** A file as the API shows it. */
    record FileView(String path, String type, long sizeBytes, String mode, String modifiedAt, String symlinkTarget) {
        static FileView of(FileInfo info) {
            return new FileView(info.path(), info.type(), info.sizeBytes(), info.mode(), info.modifiedAt().toString(), info.symlinkTarget());
        }
    }

    private void download(Context ctx) {
        SandboxPath path = path(ctx);
        files.read(id(ctx), path, () -> {
            ctx.status(HttpStatus.OK).contentType("application/octet-stream")
                    .header("Content-Disposition", "attachment; filename=\"" + fileName(path) + "\"");
            return ctx.res().getOutputStream();
        });
    }

    private void upload(Context ctx) {
        SandboxPath path = path(ctx);
        long length = ctx.req().getContentLengthLong();
        if (length < 0) {
            throw new InvalidInputException("Content-Length", "an upload needs a Content-Length header: the file is replaced only when all of it arrived");
        }
        try {
            info(ctx, files.write(id(ctx), path, ctx.req().getInputStream(), length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void delete(Context ctx) {
        files.delete(id(ctx), path(ctx), flag(ctx, "recursive"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void list(Context ctx) {
        String depth = ctx.queryParam("depth");
        int levels;
        try {
            levels = depth == null ? 1 : Integer.parseInt(depth);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("depth", "depth must be an integer but was '" + depth + "'");
        }
        FileListing listing = files.list(id(ctx), path(ctx), levels);
        List<FileView> entries = listing.entries().stream().map(FileView::of).toList();
        ctx.result(json.write(Map.of("path", listing.path(), "entries", entries, "truncated", listing.truncated())));
    }

    private void mkdir(Context ctx) {
        MkdirBody body = json.read(ctx.bodyAsBytes(), MkdirBody.class, null);
        SandboxPath path = SandboxPath.of(body.path(), "path");
        info(ctx, files.mkdir(id(ctx), path, body.parents() == null || body.parents()));
    }

    private void move(Context ctx) {
        MoveBody body = json.read(ctx.bodyAsBytes(), MoveBody.class, null);
        SandboxPath from = SandboxPath.of(body.from(), "from");
        SandboxPath to = SandboxPath.of(body.to(), "to");
        info(ctx, files.move(id(ctx), from, to, Boolean.TRUE.equals(body.overwrite())));
    }

    /**
     * Changes below a directory as server-sent events ({@code created}, {@code modified},
     * {@code deleted}, data {@code {"path": …}}), live from the moment of connection, made
     * by a watcher process in the sandbox (listed among its processes as {@code files-watch})
     * that ends when the client goes away. A watch does not keep the sandbox awake; changes
     * flowing through it do.
     */
    private void watch(Context ctx) {
        try (FileWatch watch = FileWatch.open(processes, files, runtime, id(ctx), path(ctx))) {
            EventStream events = EventStream.open(ctx);
            relayChanges(watch, events);
        } catch (UncheckedIOException e) {
            // The client went away.
        }
    }

    private void relayChanges(FileWatch watch, EventStream events) {
        long lastSent = System.nanoTime();
        while (true) {
            List<FileWatch.Change> changes = watch.poll();
            for (FileWatch.Change change : changes) {
                events.send(change.kind(), null, json.write(Map.of("path", change.path())));
                lastSent = System.nanoTime();
            }
            if (watch.ended()) {
                return;
            }
            if (changes.isEmpty()) {
                if (System.nanoTime() - lastSent > HEARTBEAT.toNanos()) {
                    events.heartbeat();
                    lastSent = System.nanoTime();
                }
                LockSupport.parkNanos(POLL.toNanos());
            }
        }
    }

    private void info(Context ctx, FileInfo info) {
        ctx.result(json.write(FileView.of(info)));
    }

    private static SandboxPath path(Context ctx) {
        return SandboxPath.of(ctx.queryParam("path"), "path");
    }

    private static boolean flag(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        InvalidInputException.check(value.equals("true"), name, name + " must be true or false but was '" + value + "'");
        return true;
    }

    private static String fileName(SandboxPath path) {
        String name = path.value().substring(path.value().lastIndexOf('/') + 1);
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static SandboxId id(Context ctx) {
        return SandboxIdParameter.of(ctx);
    }
}
