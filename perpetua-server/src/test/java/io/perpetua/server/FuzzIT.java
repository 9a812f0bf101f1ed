package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Malformed, oversized and adversarial requests against every operation of the API, from a
 * seeded generator (PERPETUA_FUZZ_SEED, PERPETUA_FUZZ_REQUESTS to change the run): the daemon
 * answers every one with a JSON error or a success, never a 5xx, stays up, and another
 * project's sandbox is left exactly as it was (not even woken).
 */
class FuzzIT {

    private static final long SEED = Long.parseLong(System.getenv().getOrDefault("PERPETUA_FUZZ_SEED", "20261128"));
    private static final int REQUESTS = Integer.parseInt(System.getenv().getOrDefault("PERPETUA_FUZZ_REQUESTS", "10000"));
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    /** Operations that stream or upgrade: sent only with inputs that are refused before they start. */
    private static final List<String> STREAMING = List.of("/watch", "/logs", "/terminal", "/tcp/", "/ports/", "/v1/events");

    private static Daemon daemon;
    private static Api api;
    private static String target;
    private static Api bystanders;
    private static String bystander;
    private static JsonNode bystanderBefore;
    private static Api fuzzer;

    @BeforeAll
    static void start() {
        // Small quotas: a fuzzed create that happens to be valid must not fill two cores with sandboxes.
        daemon = Daemon.start("--idle-timeout", "1h", "--project-max-sandboxes", "4", "--project-max-running", "2");
        api = daemon.api();
        bystanders = api.withKey(api.post("/v1/keys", Map.of("project", "bystanders")).json().path("key").asString());
        bystander = bystanders.create(Map.of("labels", Map.of("role", "bystander")));
        bystanders.sh(bystander, "echo untouched > /root/state");
        bystanders.post("/v1/sandboxes/" + bystander + "/standby", "");
        bystanderBefore = bystanders.get("/v1/sandboxes/" + bystander).json();
        fuzzer = api.withKey(api.post("/v1/keys", Map.of("project", "fuzz")).json().path("key").asString());
        target = fuzzer.create(Map.of());
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private record Operation(String method, String path) {
    }

    @Test
    void noRequestGetsA5xxAndNothingOfAnotherProjectChanges() throws Exception {
        List<Operation> operations = new ArrayList<>();
        JsonNode paths = api.get("/v1/openapi.json").json().path("paths");
        for (String path : paths.propertyNames()) {
            for (String method : paths.path(path).propertyNames()) {
                operations.add(new Operation(method.toUpperCase(), path));
            }
        }
        Random random = new Random(SEED);
        Map<String, Integer> statuses = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < REQUESTS; i++) {
            Operation operation = operations.get(random.nextInt(operations.size()));
            String method = random.nextInt(10) == 0 ? METHODS.get(random.nextInt(METHODS.size())) : operation.method();
            HttpRequest request = request(random, operation, method);
            HttpResponse<String> response;
            try {
                response = large(request) ? sendAlone(request) : send(http, request);
            } catch (IOException e) {
                serverErrors.add(request.method() + " " + request.uri() + " -> the answer broke off: " + e.getMessage());
                continue;
            }
            statuses.merge(Integer.toString(response.statusCode()), 1, Integer::sum);
            if (response.statusCode() >= 500) {
                serverErrors.add(request.method() + " " + request.uri() + " -> " + response.statusCode() + " " + response.body());
            } else if (response.statusCode() >= 400 && !method.equals("HEAD")) {
                assertThat(JsonValues.errorCode(response.body())).as(request.method() + " " + request.uri().getPath() + " -> " + response.statusCode() + " " + response.body())
                        .isNotBlank();
            }
        }
        System.out.println("fuzz: seed " + SEED + ", " + REQUESTS + " requests, statuses " + statuses);

        assertThat(serverErrors).as("answers 5xx").isEmpty();
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        JsonNode bystanderAfter = bystanders.get("/v1/sandboxes/" + bystander).json();
        assertThat(bystanderAfter.path("state").asString()).as("not even woken").isEqualTo("standby");
        assertThat(bystanderAfter.path("lastActivityAt")).isEqualTo(bystanderBefore.path("lastActivityAt"));
        assertThat(bystanderAfter.path("labels")).isEqualTo(bystanderBefore.path("labels"));
        assertThat(bystanders.sh(bystander, "cat /root/state")).isEqualTo("untouched\n");
    }

    /**
     * Sends {@code request}, once more on a fresh connection if the pooled one was closed: the
     * daemon closes a connection after answering a request whose body it did not read, and a
     * client that sent on it meanwhile gets no answer, as any HTTP client must expect.
     */
    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                throw e;
            }
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Whether the request carries a body of more than 16 KiB. */
    private static boolean large(HttpRequest request) {
        return request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L) > 16 * 1024;
    }

    /**
     * Sends a large body on a connection of its own. The daemon may answer before it read the
     * body (an unknown sandbox, a refused method); the JDK's client can then take the pooled
     * connection back while the body is still going out, and misread what follows.
     */
    private static HttpResponse<String> sendAlone(HttpRequest request) throws IOException, InterruptedException {
        try (HttpClient alone = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return alone.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private HttpRequest request(Random random, Operation operation, String method) {
        String path = operation.path();
        boolean streaming = STREAMING.stream().anyMatch(path::contains);
        String id = switch (random.nextInt(6)) {
            case 0, 1 -> streaming ? garbage(random) : target;
            case 2 -> bystander;
            default -> garbage(random);
        };
        path = path.replace("{id}", encode(id))
                .replace("{processId}", encode(random.nextBoolean() ? "p1" : garbage(random)))
                .replace("{port}", encode(streaming ? badPort(random) : Integer.toString(random.nextInt(70000))))
                .replace("{keyId}", encode(garbage(random)))
                .replace("{previewId}", encode(random.nextBoolean() ? "pvaaaaaaaaaaaaaa" : garbage(random)))
                .replace("{token}", encode(garbage(random)))
                .replace("{path}", encode(garbage(random)));
        String query = query(random, streaming);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(daemon.api().baseUri() + path + query))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + fuzzer.key());
        if (random.nextInt(4) == 0) {
            builder.header("Content-Type", List.of("application/json", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x",
                    "application/json; charset=utf-16").get(random.nextInt(5)));
        }
        if (random.nextInt(8) == 0 && !streaming) {
            builder.header("Last-Event-ID", garbage(random).replaceAll("[^\\x20-\\x7e]", "?"));
        }
        String body = body(random, operation);
        return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String badPort(Random random) {
        return List.of("0", "-1", "65536", "99999999999", "http", "", "8080x").get(random.nextInt(7));
    }

    private static String query(Random random, boolean streaming) {
        if (random.nextInt(3) == 0 && !streaming) {
            return "";
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : List.of("path", "depth", "recursive", "rows", "cols", "from", "x")) {
            if (random.nextInt(3) == 0) {
                parameters.put(name, streaming && name.equals("path") ? "relative/" + garbage(random) : garbage(random));
            }
        }
        if (streaming) {
            parameters.put("rows", "0");
            parameters.put("after", "-1");
        }
        StringBuilder query = new StringBuilder("?");
        parameters.forEach((name, value) -> query.append(name).append('=').append(encode(value)).append('&'));
        return query.toString();
    }

    /** A body that is anything but what the operation wants, or a near miss of it. */
    private static String body(Random random, Operation operation) {
        return switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "{" + "\"a\":{".repeat(random.nextInt(2000)) + "}";
            case 3 -> "[".repeat(5000);
            case 4 -> "{\"cmd\":[\"" + "x".repeat(random.nextInt(200_000)) + "\"]}";
            case 5 -> nearMiss(random);
            case 6 -> new String(bytes(random, random.nextInt(512)), StandardCharsets.ISO_8859_1);
            case 7 -> "{\"idleTimeoutSeconds\":" + List.of("-1", "1e308", "\"15\"", "null", "[]", "9223372036854775808").get(random.nextInt(6)) + "}";
            default -> "{\"network\":{\"allowOut\":[\"" + garbage(random) + "\"]},\"memoryMb\":" + random.nextInt() + "}";
        };
    }

    /** Fields the API knows, with values of the wrong kind, size or shape. */
    private static String nearMiss(Random random) {
        List<String> fields = List.of("cmd", "cwd", "env", "stdin", "timeoutSeconds", "template", "labels", "memoryMb", "cpus", "diskMb",
                "maxProcesses", "maxOpenFiles", "keepAlive", "name", "signal", "data", "eof", "from", "to", "overwrite", "parents", "port",
                "project", "admin", "allowOut", "denyOut", "path");
        List<String> values = List.of("null", "true", "0", "-1", "1.5", "\"\"", "\"../../etc/passwd\"", "[]", "{}", "[null]",
                "{\"A\":null}", "\"\\u0000\"", "99999999999999999999", "\"" + "y".repeat(70_000) + "\"", "[\"ls\",3]", "\"KILL\"",
                "{\"1BAD\":\"x\"}", "\"\\ud800\"");
        StringBuilder body = new StringBuilder("{");
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(fields.get(random.nextInt(fields.size()))).append("\":")
                    .append(values.get(random.nextInt(values.size())));
        }
        return body.append('}').toString();
    }

    private static String garbage(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> "";
            case 1 -> "../../../../etc/passwd";
            case 2 -> "sb" + "a".repeat(random.nextInt(20));
            case 3 -> "%00";
            case 4 -> "x".repeat(random.nextInt(5000));
            case 5 -> "ünïcødé-☃-" + random.nextInt();
            case 6 -> Long.toString(random.nextLong());
            case 7 -> "/root/" + random.nextInt(100);
            case 8 -> "sbzzzzzzzzzzzzzz";
            default -> new String(bytes(random, 1 + random.nextInt(40)), StandardCharsets.ISO_8859_1);
        };
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Reads the error code of a JSON error body. */
    private static final class JsonValues {
        static String errorCode(String body) {
            try {
                return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body).path("error").path("code").asString();
            } catch (RuntimeException e) {
                return "";
            }
        }
    }
}
