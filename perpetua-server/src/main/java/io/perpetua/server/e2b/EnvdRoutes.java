package io.perpetua.server.e2b;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UploadedFile;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.files.FileInfo;
import io.perpetua.files.SandboxFiles;
import io.perpetua.files.SandboxPath;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * envd, E2B's in-sandbox API, served by the daemon for every sandbox: {@code /health},
 * {@code /files} and the Connect RPC services {@code process.Process} and
 * {@code filesystem.Filesystem}. The sandbox is named by the {@code E2b-Sandbox-Id} header (the
 * SDK's {@code E2B_SANDBOX_URL} mode) or by the host name {@code 49983-<id>.<domain>} (E2B's
 * default); the caller proves it may reach it with the sandbox's {@code X-Access-Token}. An
 * unknown sandbox, or a paused one that does not resume on traffic, answers 502 as E2B's proxy does.
 */
final class EnvdRoutes {

    private static final Logger log = LoggerFactory.getLogger(EnvdRoutes.class);
    private static final String SANDBOX = "e2b.sandbox";

    private final E2bSandboxes e2b;
    private final SandboxTokens tokens;
    private final SandboxFiles files;
    private final ProcessRpc processes;
    private final FilesystemRpc filesystem;
    private final JsonMapper json;

    EnvdRoutes(E2bSandboxes e2b, SandboxTokens tokens, SandboxFiles files, ProcessRpc processes, FilesystemRpc filesystem, JsonMapper json) {
        this.e2b = e2b;
        this.tokens = tokens;
        this.files = files;
        this.processes = processes;
        this.filesystem = filesystem;
        this.json = json;
    }

    void register(JavalinConfig config) {
        config.routes.get("/health", http(ctx -> ctx.status(204)));
        config.routes.get("/files", http(this::download));
        config.routes.post("/files", http(this::upload));
        config.routes.post("/process.Process/{method}", rpc((method, id, request) -> processes.call(method, id, request),
                (method, id, request, out, limits) -> processes.stream(method, id, request, out, limits)));
        config.routes.post("/filesystem.Filesystem/{method}", rpc((method, id, request) -> filesystem.call(method, id, request),
                (method, id, request, out, limits) -> filesystem.stream(method, id, request, out, limits)));
    }

    /** A unary RPC method. */
    @FunctionalInterface
    private interface Unary {
        Object call(String method, SandboxId id, JsonNode request);
    }

    /** A server-streaming RPC method. */
    @FunctionalInterface
    private interface Streaming {
        void stream(String method, SandboxId id, JsonNode request, ConnectStream out, StreamLimits limits);
    }

    /** An envd HTTP route: the sandbox checked first; errors as envd's {@code {"message", "code"}}. */
    private Handler http(Handler handler) {
        return ctx -> {
            try {
                ctx.attribute(SANDBOX, sandbox(ctx));
                handler.handle(ctx);
            } catch (EnvdRefusal refusal) {
                refusal.answer(ctx, json);
            } catch (PerpetuaException e) {
                answer(ctx, ConnectError.of(e).httpStatus(), e.getMessage());
            } catch (ConnectError e) {
                answer(ctx, e.httpStatus(), e.getMessage());
            }
        };
    }

    private Handler rpc(Unary unary, Streaming streaming) {
        return ctx -> {
            String method = ctx.pathParam("method");
            if (ConnectStream.requested(ctx)) {
                stream(ctx, method, streaming);
                return;
            }
            try {
                SandboxId id = sandbox(ctx);
                JsonNode request = Rpc.parse(json, ctx.body());
                ctx.status(200).contentType("application/json").result(json.writeValueAsString(unary.call(method, id, request)));
            } catch (EnvdRefusal refusal) {
                refusal.answer(ctx, json);
            } catch (PerpetuaException e) {
                fail(ctx, ConnectError.of(e));
            } catch (ConnectError e) {
                fail(ctx, e);
            }
        };
    }

    private void stream(Context ctx, String method, Streaming streaming) {
        SandboxId id;
        JsonNode request;
        StreamLimits limits;
        try {
            id = sandbox(ctx);
            request = ConnectStream.request(ctx, json);
            limits = StreamLimits.of(ctx);
        } catch (EnvdRefusal refusal) {
            // Before the stream opens, a refusal is an HTTP answer: the client reads 502 as "unavailable".
            refusal.answer(ctx, json);
            return;
        } catch (ConnectError e) {
            ConnectStream.open(ctx, json).end(e);
            return;
        }
        ConnectStream out = ConnectStream.open(ctx, json);
        try {
            streaming.stream(method, id, request, out, limits);
        } catch (PerpetuaException e) {
            endQuietly(out, ConnectError.of(e));
        } catch (ConnectError e) {
            endQuietly(out, e);
        } catch (UncheckedIOException e) {
            log.debug("the client of {} in sandbox {} went away", method, id);
        }
    }

    private static void endQuietly(ConnectStream out, ConnectError error) {
        try {
            out.end(error);
        } catch (UncheckedIOException e) {
            // The client went away.
        }
    }

    private void fail(Context ctx, ConnectError error) {
        ctx.status(error.httpStatus()).contentType("application/json")
                .result(json.writeValueAsString(Map.of("code", error.code(), "message", String.valueOf(error.getMessage()))));
    }

    private void answer(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(Map.of("code", status, "message", message)));
    }

    /** The sandbox the request is for, reachable now, with the caller's token checked. */
    private SandboxId sandbox(Context ctx) {
        String id = SandboxAddress.of(ctx).filter(SandboxAddress::envd).map(SandboxAddress::sandboxId)
                .orElseThrow(() -> new EnvdRefusal(400, null, "name the sandbox with the E2b-Sandbox-Id header or a host name "
                        + SandboxAddress.ENVD_PORT + "-<sandbox id>.<domain>"));
        Sandbox sandbox = e2b.reachable(id).map(E2bSandboxes.Entry::sandbox).orElseThrow(() -> new EnvdRefusal(502, id,
                "the sandbox " + id + " was not found, or it is paused and does not resume on traffic"));
        if (!tokens.envdMatches(sandbox.id(), ctx.header("X-Access-Token"))) {
            throw new EnvdRefusal(401, id, "this call needs the sandbox's envdAccessToken in the X-Access-Token header");
        }
        return sandbox.id();
    }

    private void download(Context ctx) {
        SandboxId id = ctx.attribute(SANDBOX);
        SandboxPath path = EnvdPaths.resolve(ctx.queryParam("path"), ctx.queryParam("username"), "path");
        files.read(id, path, () -> {
            ctx.status(200).contentType("application/octet-stream");
            return ctx.res().getOutputStream();
        });
    }

    /** Writes the uploaded files: a multipart form (a part named "file" a file, its file name the path) or one raw body. */
    private void upload(Context ctx) throws IOException {
        SandboxId id = ctx.attribute(SANDBOX);
        String user = ctx.queryParam("username");
        String path = ctx.queryParam("path");
        List<Map<String, Object>> written = new ArrayList<>();
        String type = String.valueOf(ctx.header("Content-Type"));
        if (type.startsWith("multipart/form-data")) {
            for (UploadedFile file : ctx.uploadedFiles("file")) {
                String target = path != null && !path.isEmpty() ? path : file.filename();
                try (InputStream content = file.content()) {
                    written.add(uploaded(files.write(id, EnvdPaths.resolve(target, user, "path"), content, file.size())));
                }
            }
            if (written.isEmpty()) {
                throw new InvalidInputException("file", "the form has no part named \"file\"");
            }
        } else {
            written.add(uploaded(writeBody(ctx, id, EnvdPaths.resolve(path, user, "path"))));
        }
        ctx.status(200).contentType("application/json").result(json.writeValueAsString(written));
    }

    /**
     * The raw body, written as it streams in when its length is known; a body that comes chunked
     * or gzipped is spooled first, to learn the length the write needs.
     */
    private FileInfo writeBody(Context ctx, SandboxId id, SandboxPath path) throws IOException {
        long length = ctx.req().getContentLengthLong();
        if (length >= 0 && !gzipped(ctx)) {
            try (InputStream body = ctx.req().getInputStream()) {
                return files.write(id, path, body, length);
            }
        }
        Path spool = Files.createTempFile("perpetua-envd-upload-", ".part");
        try {
            try (InputStream body = body(ctx)) {
                Files.copy(body, spool, StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream content = Files.newInputStream(spool)) {
                return files.write(id, path, content, Files.size(spool));
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static boolean gzipped(Context ctx) {
        String encoding = ctx.header("Content-Encoding");
        return encoding != null && encoding.strip().equalsIgnoreCase("gzip");
    }

    private static InputStream body(Context ctx) throws IOException {
        InputStream raw = ctx.req().getInputStream();
        return gzipped(ctx) ? new GZIPInputStream(raw) : raw;
    }

    private static Map<String, Object> uploaded(FileInfo info) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("path", info.path());
        entry.put("name", info.path().substring(info.path().lastIndexOf('/') + 1));
        entry.put("type", "file");
        return entry;
    }

    /** A request refused before it reaches the sandbox: 400 (no sandbox named), 401 (no token), 502 (not reachable). */
    private static final class EnvdRefusal extends RuntimeException {
        private final int status;
        private final String sandboxId;

        EnvdRefusal(int status, String sandboxId, String message) {
            super(message);
            this.status = status;
            this.sandboxId = sandboxId;
        }

        void answer(Context ctx, JsonMapper json) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (sandboxId != null) {
                body.put("sandboxId", sandboxId);
            }
            body.put("message", getMessage());
            body.put("code", status);
            ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
        }
    }
}
