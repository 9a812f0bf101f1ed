package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.perpetua.access.Previews;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code /v1/sandboxes/{id}/ports/{port}/…}: a reverse proxy, HTTP and WebSocket, to a port of
 * a sandbox, and {@code /preview/{token}/…}, the same behind an unguessable token for browsers
 * (made by {@link PreviewRoutes}). The first byte wakes a sleeping sandbox, and it stays awake
 * while a request or a WebSocket is open. The proxy's HTTP client closes its idle connections to
 * a sandbox after two seconds, from its own side, because this runsc cannot checkpoint a sandbox
 * that holds a connection; the daemon sets that timeout at its start, for the whole JVM, as the
 * JDK allows no other way ({@code PerpetuaServer.start}).
 */
final class PortProxyRoutes {

    private static final String PORTS = "/v1/sandboxes/{id}/ports/{port}";
    private static final String PREVIEW = "/preview/{token}";
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");
    /** Request bodies up to this size are read before they are sent on, so the client can send them again. */
    private static final int REPLAYABLE_BODY_BYTES = 1024 * 1024;

    private final SandboxService sandboxes;
    private final Function<SandboxId, Optional<String>> addresses;
    private final Previews previews;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final UpgradeHandoff<Bridge> upgrades = new UpgradeHandoff<>();
    private final Map<String, Bridge> bridges = new ConcurrentHashMap<>();

    /**
     * @param addresses each sandbox's address on its network, if it has one
     * @param previews  opens the preview behind a token
     */
    PortProxyRoutes(SandboxService sandboxes, Function<SandboxId, Optional<String>> addresses, Previews previews) {
        this.sandboxes = sandboxes;
        this.addresses = addresses;
        this.previews = previews;
    }

    /** The path of the preview URL of {@code token}. */
    static String previewPath(String token) {
        return "/preview/" + token + "/";
    }

    void register(RouteTable routes) {
        routes.any(PORTS, ctx -> forward(ctx, target(ctx), ""));
        routes.any(PORTS + "/<path>", ctx -> forward(ctx, target(ctx), ctx.pathParam("path")));
        routes.ws(PORTS + "/<path>", ctx -> openUpstream(ctx, target(ctx)), this::bridge);
        routes.any(PREVIEW, ctx -> forward(ctx, preview(ctx.pathParam("token")), ""));
        routes.any(PREVIEW + "/<path>", ctx -> forward(ctx, preview(ctx.pathParam("token")), ctx.pathParam("path")));
        routes.ws(PREVIEW + "/<path>", ctx -> openUpstream(ctx, preview(ctx.pathParam("token"))), this::bridge);
    }

    /** Forwards the request with its whole path (see {@link PortForward}). */
    void forwardWholePath(Context ctx, SandboxId sandbox, int port) {
        String path;
        try {
            path = new URI(ctx.path()).getPath();
        } catch (URISyntaxException e) {
            throw new InvalidInputException("path", "the path cannot be passed on to the sandbox: " + e.getMessage());
        }
        forward(ctx, new Target(sandbox, port), path.startsWith("/") ? path.substring(1) : path);
    }

    /** A port of a sandbox, as a request names it. */
    record Target(SandboxId sandbox, int port) {
    }

    private void forward(Context ctx, Target target, String path) {
        String address = address(target.sandbox());
        URI uri = upstream("http", address, target.port(), path, ctx.queryString());
        SandboxService.Lease lease = sandboxes.hold(target.sandbox());
        try {
            HttpRequest request = request(ctx, uri);
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            ctx.status(response.statusCode());
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(value -> ctx.res().addHeader(name, value));
                }
            });
            try (InputStream body = response.body(); OutputStream out = ctx.res().getOutputStream()) {
                body.transferTo(out);
            }
        } catch (ConnectException e) {
            throw new RuntimeFailureException("port_unreachable", "nothing answers on port " + target.port() + " of sandbox "
                    + target.sandbox() + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while proxying to sandbox " + target.sandbox(), e);
        } finally {
            lease.close();
        }
    }

    /**
     * The URI of a request to the sandbox's server. The path comes decoded (spaces, brackets,
     * any character) and is encoded again; the query goes on as the client encoded it.
     */
    private static URI upstream(String scheme, String address, int port, String path, String rawQuery) {
        String encodedPath;
        try {
            encodedPath = new URI(null, null, "/" + path, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new InvalidInputException("path", "the path cannot be passed on to the sandbox: " + e.getMessage());
        }
        try {
            return new URI(scheme + "://" + address + ":" + port + encodedPath + (rawQuery == null ? "" : "?" + rawQuery));
        } catch (URISyntaxException e) {
            throw new InvalidInputException("query", "the query cannot be passed on to the sandbox: " + e.getMessage());
        }
    }

    private HttpRequest request(Context ctx, URI uri) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        // The API key that let the request through is Perpetua's, not the sandbox's: code in the
        // sandbox must never see it. Behind a preview URL the header is the caller's own, for the app.
        boolean keepAuthorization = !AccessControl.authenticated(ctx);
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && (keepAuthorization || !lower.equals("authorization"))) {
                for (String value : Collections.list(ctx.req().getHeaders(name))) {
                    request.header(name, value);
                }
            }
        }
        return request.method(ctx.method().name(), body(ctx)).build();
    }

    /** The request's body for the sandbox: in memory when it is small, so it can be sent again; streamed when it is not. */
    private static HttpRequest.BodyPublisher body(Context ctx) throws IOException {
        long length = ctx.req().getContentLengthLong();
        InputStream body = ctx.req().getInputStream();
        if (length == 0 || (length < 0 && !"chunked".equalsIgnoreCase(ctx.header("Transfer-Encoding")))) {
            return HttpRequest.BodyPublishers.noBody();
        }
        if (length > 0 && length <= REPLAYABLE_BODY_BYTES) {
            return HttpRequest.BodyPublishers.ofByteArray(body.readNBytes((int) length));
        }
        HttpRequest.BodyPublisher streamed = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(streamed, length) : streamed;
    }

    /** One proxied WebSocket: a WebSocket to the sandbox's server, joined to the client's once it opens. */
    private record Bridge(SandboxService.Lease lease, WebSocket upstream, CompletableFuture<WsContext> client) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (!upstream.isOutputClosed()) {
                    upstream.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
                }
            } finally {
                lease.close();
            }
        }
    }

    /**
     * Before the upgrade: wakes the sandbox and opens the WebSocket to its server, so a port that
     * nothing serves is an HTTP error, as for plain requests.
     */
    private void openUpstream(Context ctx, Target target) {
        String address = address(target.sandbox());
        URI uri = upstream("ws", address, target.port(), ctx.pathParam("path"), ctx.queryString());
        SandboxService.Lease lease = sandboxes.hold(target.sandbox());
        CompletableFuture<WsContext> client = new CompletableFuture<>();
        try {
            WebSocket upstream = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new Downstream(client)).join();
            upgrades.offer(ctx, new Bridge(lease, upstream, client));
        } catch (CompletionException e) {
            lease.close();
            throw new RuntimeFailureException("port_unreachable", "no WebSocket answers on port " + target.port() + " of sandbox "
                    + target.sandbox() + " (" + e.getCause().getMessage() + ")", e.getCause());
        }
    }

    private void bridge(WsConfig ws) {
        ws.onConnect(ctx -> {
            WebSocketOutput.keepOpen(ctx);
            Bridge bridge = upgrades.claim(ctx);
            bridges.put(ctx.sessionId(), bridge);
            bridge.client().complete(ctx);
        });
        ws.onMessage(ctx -> upstream(ctx).sendText(ctx.message(), true).join());
        ws.onBinaryMessage(ctx -> upstream(ctx).sendBinary(ctx.data(), true).join());
        ws.onClose(ctx -> {
            Bridge bridge = bridges.remove(ctx.sessionId());
            if (bridge != null) {
                bridge.close();
            }
        });
    }

    private WebSocket upstream(WsContext ctx) {
        Bridge bridge = bridges.get(ctx.sessionId());
        if (bridge == null) {
            throw new IllegalStateException("no upstream for WebSocket session " + ctx.sessionId());
        }
        return bridge.upstream();
    }

    /**
     * Relays what the sandbox's server sends to the client, a part of a message at a time, once
     * the client's socket is open. The next part is asked for only once this one has gone out,
     * so a slow client slows the server in the sandbox rather than filling the daemon's heap.
     */
    private record Downstream(CompletableFuture<WsContext> client) implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            String text = data.toString();
            return client.thenCompose(c -> WebSocketOutput.sendText(c, text, last)).thenRun(() -> socket.request(1));
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            return client.thenCompose(c -> WebSocketOutput.sendBinary(c, data, last)).thenRun(() -> socket.request(1));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            return client.thenAccept(c -> c.closeSession(status, reason));
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            client.thenAccept(c -> c.closeSession(1011, "the sandbox's WebSocket failed"));
        }
    }

    /** The sandbox's address on its network, for the routes that reach its ports. */
    String address(SandboxId id) {
        sandboxes.get(id);
        return addresses.apply(id).orElseThrow(() -> new ConflictException("sandbox_has_no_network",
                "sandbox " + id + " has no network: the daemon runs with --network none"));
    }

    private static Target target(Context ctx) {
        return new Target(SandboxIdParameter.of(ctx), SandboxPortParameter.parse(ctx.pathParam("port")));
    }

    private Target preview(String token) {
        return previews.open(token).map(preview -> new Target(preview.sandbox(), preview.port()))
                .orElseThrow(() -> new NotFoundException("preview_not_found", "no preview with that token"));
    }
}
