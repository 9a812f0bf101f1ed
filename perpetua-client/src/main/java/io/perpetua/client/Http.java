package io.perpetua.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * The HTTP plumbing under the API: builds requests against the daemon's base URL (with the API
 * key), sends them, and turns every failure into a {@link PerpetuaException} with context.
 * Answers are read as streams, so that downloads and event streams are never held in memory.
 */
final class Http implements AutoCloseable {

    static final String USER_AGENT = "perpetua-java/0.1.0";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final String base;
    private final String authorization;
    private final HttpClient client;
    private final Set<Closeable> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    Http(String base, String apiKey, SSLContext tls) {
        this.base = base;
        this.authorization = apiKey == null || apiKey.isBlank() ? null : "Bearer " + apiKey.strip();
        // HTTP/1.1 explicitly: the default would try an h2c upgrade on every plain-text request.
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    String base() {
        return base;
    }

    /** Opens a WebSocket to {@code path} (escaped already), with this client's authorization. */
    WebSocket webSocket(String path, WebSocket.Listener listener) {
        WebSocket.Builder builder = client.newWebSocketBuilder().header("User-Agent", USER_AGENT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        URI uri = URI.create(base.replaceFirst("^http", "ws") + path);
        try {
            return builder.buildAsync(uri, listener).get(CONNECT_TIMEOUT.toSeconds() * 6, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw refusal(path, refused.getResponse());
            }
            throw new PerpetuaException(PerpetuaException.UNREACHABLE, "cannot open a WebSocket to " + uri + ": " + e.getMessage(), 0);
        } catch (TimeoutException e) {
            throw new PerpetuaException(PerpetuaException.UNREACHABLE, "cannot open a WebSocket to " + uri + ": " + e.getMessage(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PerpetuaException("interrupted", "interrupted while opening a WebSocket to " + uri, 0);
        }
    }

    /** A request to {@code path} (which starts with {@code /} and is escaped already), asking for JSON. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    HttpRequest get(String path) {
        return request(path).GET().build();
    }

    HttpRequest delete(String path) {
        return request(path).DELETE().build();
    }

    /** A POST of {@code body} as JSON, or of nothing when it is null. */
    HttpRequest post(String path, Map<String, Object> body) {
        return withJson(request(path), body).build();
    }

    /** A PUT of {@code body} as JSON. */
    HttpRequest put(String path, Object body) {
        return request(path).header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)).build();
    }

    /** A PATCH of {@code body} as JSON. */
    HttpRequest patch(String path, Object body) {
        return request(path).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)).build();
    }

    static HttpRequest.Builder withJson(HttpRequest.Builder request, Map<String, Object> body) {
        if (body == null) {
            return request.POST(BodyPublishers.noBody());
        }
        return request.header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
    }

    /** Sends {@code request} and decodes the JSON object it answers. */
    <T> T json(HttpRequest request, Function<JsonObject, T> decode) {
        HttpResponse<InputStream> response = open(request);
        return decode(response, readText(response), decode);
    }

    /** Sends {@code request}, expecting an answer without a body that matters (204). */
    void discard(HttpRequest request) {
        try (InputStream body = open(request).body()) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw connectionLost(request, e);
        }
    }

    /** Sends {@code request} and reads the whole answer as text. */
    String text(HttpRequest request) {
        return readText(open(request));
    }

    private String readText(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw connectionLost(response.request(), e);
        }
    }

    /**
     * Sends {@code request} and answers its response once the status says it succeeded; the
     * caller reads and closes the body. An error answer is read and thrown.
     */
    HttpResponse<InputStream> open(HttpRequest request) {
        if (closed.get()) {
            throw new IllegalStateException("this Perpetua client was closed; connect again to talk to " + base);
        }
        HttpResponse<InputStream> response = exchange(request);
        int status = response.statusCode();
        if (status >= 200 && status <= 299) {
            return response;
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        throw error(request, status, body);
    }

    /** Decodes {@code text}, read from {@code response}; anything unreadable is a {@code bad_response}. */
    <T> T decode(HttpResponse<?> response, String text, Function<JsonObject, T> decode) {
        try {
            return decode.apply(JsonObject.parse(text, "answer"));
        } catch (IllegalArgumentException e) {
            throw new PerpetuaException(PerpetuaException.BAD_RESPONSE, "the daemon at " + base + " answered "
                    + describe(response.request()) + " with something this client cannot read: " + e.getMessage(),
                    response.statusCode(), e);
        }
    }

    /** Closes {@code stream} (an open event stream) when this client closes, unless it was untracked first. */
    void track(Closeable stream) {
        streams.add(stream);
        if (closed.get()) {
            closeQuietly(stream);
        }
    }

    void untrack(Closeable stream) {
        streams.remove(stream);
    }

    PerpetuaException connectionLost(HttpRequest request, IOException e) {
        return new PerpetuaException(PerpetuaException.CONNECTION_LOST, "the connection to the daemon at " + base
                + " broke off during " + describe(request) + ": " + e, 0, e);
    }

    /** Ends the open event streams, then waits briefly for requests in flight before aborting them. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List.copyOf(streams).forEach(Http::closeQuietly);
        client.shutdown();
        try {
            if (!client.awaitTermination(CLOSE_GRACE)) {
                client.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.shutdownNow();
        }
    }

    /** {@code value} escaped as one segment of a path. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code value} escaped as a query parameter's value; slashes stay readable. */
    static String queryValue(String value) {
        return segment(value).replace("%2F", "/");
    }

    static String describe(HttpRequest request) {
        return request.method() + " " + request.uri().getRawPath();
    }

    private HttpResponse<InputStream> exchange(HttpRequest request) {
        try {
            return client.send(request, BodyHandlers.ofInputStream());
        } catch (IOException e) {
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                    || e.getCause() instanceof ConnectException) {
                throw new PerpetuaException(PerpetuaException.UNREACHABLE, "cannot reach the daemon at " + base, 0, e);
            }
            if (e instanceof SSLHandshakeException) {
                throw new PerpetuaException(PerpetuaException.UNREACHABLE, "cannot reach the daemon at " + base
                        + " over TLS: " + e.getMessage() + " (to trust its own certificate, give it with "
                        + Perpetua.CA_CERT_VARIABLE + ")", 0, e);
            }
            throw connectionLost(request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PerpetuaException(PerpetuaException.INTERRUPTED, "interrupted while waiting for "
                    + describe(request) + " at " + base, 0, e);
        }
    }

    /**
     * A refused WebSocket handshake as an exception of its status's class. The JDK keeps only the
     * answer's headers, where the daemon repeats its error code and field.
     */
    private static PerpetuaException refusal(String path, HttpResponse<?> response) {
        int status = response.statusCode();
        String code = response.headers().firstValue("Perpetua-Error-Code").orElse("http_" + status);
        String field = response.headers().firstValue("Perpetua-Error-Field").orElse(null);
        String message = "the daemon refused the WebSocket " + path + " with HTTP " + status + " (" + code + ")";
        return ofStatus(status, code, message, field);
    }

    /** The daemon's {@code {"error": {"code", "message", "field"?}}} as an exception of the status's class. */
    private static PerpetuaException error(HttpRequest request, int status, String body) {
        String code = "http_" + status;
        String message = "the daemon answered " + describe(request) + " with HTTP " + status;
        String field = null;
        try {
            JsonObject error = JsonObject.parse(body, "answer").object("error");
            code = error.string("code");
            message = error.string("message");
            field = error.optionalString("field");
        } catch (IllegalArgumentException e) {
            // Not the daemon's error format (a proxy's page, say): the status is all there is.
        }
        return ofStatus(status, code, message, field);
    }

    private static PerpetuaException ofStatus(int status, String code, String message, String field) {
        return switch (status) {
            case 400 -> new InvalidRequestException(code, message, field);
            case 401 -> new UnauthorizedException(code, message);
            case 403 -> new ForbiddenException(code, message);
            case 404 -> new NotFoundException(code, message);
            case 409 -> new ConflictException(code, message);
            case 429 -> new QuotaExceededException(code, message);
            default -> status >= 500 ? new ServerException(code, message, status) : new PerpetuaException(code, message, status);
        };
    }

    private static void closeQuietly(Closeable stream) {
        try {
            stream.close();
        } catch (IOException | UncheckedIOException e) {
            // Closing is all that is wanted; a stream that fails to close is gone anyway.
        }
    }
}
