package io.perpetua.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The daemon's API as the benchmark drives it: every call must succeed, or the run stops. */
final class BenchClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    BenchClient(URI base, String key) {
        this.base = base;
        this.authorization = "Bearer " + key;
    }

    /** The API key the client calls with. */
    String key() {
        return authorization.substring("Bearer ".length());
    }

    String create(Map<String, Object> spec) {
        return call("POST", "/v1/sandboxes", spec).path("id").asString();
    }

    JsonNode get(String id) {
        return call("GET", "/v1/sandboxes/" + id, null);
    }

    JsonNode exec(String id, String... cmd) {
        JsonNode result = call("POST", "/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of(cmd), "timeoutSeconds", 600));
        if (result.path("exitCode").asInt() != 0) {
            throw new IllegalStateException("command " + List.of(cmd) + " failed in " + id + ": " + result);
        }
        return result;
    }

    /** The usage of the bench's project from {@code from} to {@code to}, by sandbox. */
    JsonNode usage(Instant from, Instant to) {
        return call("GET", "/v1/usage?groupBy=sandbox&from=" + from + "&to=" + to, null);
    }

    JsonNode lifecycle(String id, String operation) {
        return call("POST", "/v1/sandboxes/" + id + "/" + operation, null);
    }

    void delete(String id) {
        call("DELETE", "/v1/sandboxes/" + id, null);
    }

    /** Uploads {@code file} to {@code path} in the sandbox, streamed. */
    void upload(String id, String path, Path file) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/sandboxes/" + id + "/files?path=" + path)).header("Authorization", authorization)
                    .timeout(Duration.ofMinutes(30)).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("upload answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Downloads {@code path} from the sandbox into {@code file}, streamed. */
    void download(String id, String path, Path file) {
        try {
            HttpResponse<Path> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/sandboxes/" + id + "/files?path=" + path)).header("Authorization", authorization)
                    .timeout(Duration.ofMinutes(30)).GET().build(), HttpResponse.BodyHandlers.ofFile(file));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("download answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs {@code url} (any address; the key goes only to the daemon) and returns the status, discarding the body. */
    int fetch(URI url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET();
        if (url.toString().startsWith(base.toString())) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Asks for template {@code recipe} to be built and waits until it is ready. */
    JsonNode buildTemplate(Map<String, Object> recipe) {
        String name = (String) recipe.get("name");
        call("POST", "/v1/templates", recipe);
        for (;;) {
            JsonNode template = call("GET", "/v1/templates/" + name, null);
            switch (template.path("state").asString()) {
                case "ready" -> {
                    return template;
                }
                case "failed" -> throw new IllegalStateException("template " + name + " failed: " + template);
                default -> LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }

    JsonNode template(String name) {
        return call("GET", "/v1/templates/" + name, null);
    }

    void deleteTemplate(String name) {
        call("DELETE", "/v1/templates/" + name, null);
    }

    /** Starts a background process in the sandbox that keeps it awake until it ends. */
    void start(String id, String... cmd) {
        call("POST", "/v1/sandboxes/" + id + "/processes", Map.of("cmd", List.of(cmd), "keepAlive", true));
    }

    /** Deletes the sandbox if it is still there; one taken down by its own misbehaviour may answer anything. */
    void deleteQuietly(String id) {
        try {
            delete(id);
        } catch (IllegalStateException e) {
            System.err.println("could not delete " + id + ": " + e.getMessage());
        }
    }

    URI base() {
        return base;
    }

    String metrics() {
        return send(HttpRequest.newBuilder(base.resolve("/metrics")).GET()).body();
    }

    JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    JsonNode call(String method, String path) {
        return call(method, path, null);
    }

    private JsonNode call(String method, String path, Object body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", authorization)
                .header("Content-Type", "application/json").method(method, publisher));
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
