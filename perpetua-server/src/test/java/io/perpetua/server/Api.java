package io.perpetua.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small client of the daemon's API for tests: raw status and parsed JSON. */
final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The admin key every test daemon is started with (through PERPETUA_ADMIN_KEY). */
    static final String ADMIN_KEY = "pk_test_admin_0123456789abcdefghijklmnop";

    private final URI base;
    private final String key;
    private final HttpClient http;

    /** A client that calls with the admin key. */
    Api(URI base) {
        this(base, ADMIN_KEY, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** A client of a daemon serving HTTPS, trusting what {@code tls} trusts. */
    Api(URI base, SSLContext tls) {
        this(base, ADMIN_KEY, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build());
    }

    private Api(URI base, String key, HttpClient http) {
        this.base = base;
        this.key = key;
        this.http = http;
    }

    /** The same daemon, called with {@code otherKey}, or with no key if it is null. */
    Api withKey(String otherKey) {
        return new Api(base, otherKey, http);
    }

    /** The key this client calls with, or null. */
    String key() {
        return key;
    }

    /** The header value that carries the key, for clients the tests make themselves. */
    String authorization() {
        return "Bearer " + key;
    }

    /** An answer: its status and its body, parsed if it is JSON. */
    record Response(int status, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        String errorCode() {
            return json().path("error").path("code").asString();
        }

        String errorField() {
            return json().path("error").path("field").asString();
        }
    }

    URI baseUri() {
        return base;
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Response post(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Response post(String path, Object body) {
        return post(path, JSON.writeValueAsString(body));
    }

    /** Uploads {@code length} bytes from {@code body} with PUT, streamed. */
    Response put(String path, Supplier<InputStream> body, long length) {
        return send(HttpRequest.newBuilder(base.resolve(path)).PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(body), length)));
    }

    /** GETs {@code path} and hands the body, streamed, to {@code consumer}; returns the status. */
    int download(String path, Consumer<InputStream> consumer) {
        try {
            HttpResponse<InputStream> response = http.send(authorized(HttpRequest.newBuilder(base.resolve(path))).GET()
                    .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                consumer.accept(in);
            }
            return response.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    Response send(String method, String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Creates a sandbox with {@code spec} and returns its id. */
    String create(Map<String, Object> spec) {
        Response created = post("/v1/sandboxes", spec);
        if (created.status() != 201) {
            throw new AssertionError("create failed: " + created);
        }
        return created.json().path("id").asString();
    }

    /** Runs {@code cmd} in the sandbox and returns the parsed result; fails unless the API answered 200. */
    JsonNode exec(String id, String... cmd) {
        Response response = post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of(cmd)));
        if (response.status() != 200) {
            throw new AssertionError("exec failed: " + response);
        }
        return response.json();
    }

    /** Runs a shell script in the sandbox and returns its stdout; fails unless it exited 0. */
    String sh(String id, String script) {
        JsonNode result = exec(id, "sh", "-c", script);
        if (result.path("exitCode").asInt() != 0) {
            throw new AssertionError("script failed: " + result);
        }
        return result.path("stdout").asString();
    }

    String state(String id) {
        return get("/v1/sandboxes/" + id).json().path("state").asString();
    }

    boolean isUp() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/healthz")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Asks for a WebSocket at {@code path} and returns the answer when it is not an upgrade: the
     * JDK's WebSocket client hides the status and body of a refused handshake.
     */
    Response upgrade(String path) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                    + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" + (key == null ? "" : "\r\nAuthorization: " + authorization())
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String status = line(in);
            int length = 0;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).strip());
                }
            }
            byte[] body = new byte[length];
            in.readFully(body);
            return new Response(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the daemon closed the connection in the middle of a line: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return key == null ? request : request.header("Authorization", authorization());
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(authorized(request).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
