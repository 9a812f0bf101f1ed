package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad input on every route of the E2B adapter, against a real daemon: each is refused with
 * E2B's error shape on the control plane ({@code {"code": status, "message"}}), envd's on its
 * HTTP routes, and Connect's on RPC ({@code {"code": "invalid_argument", …}} for a unary call,
 * an end-of-stream error for a stream); never a 5xx, and nothing changes.
 */
class E2bBadInputIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Daemon daemon;
    private static String sandbox;
    private static String token;

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "1"));
        JsonNode created = send("POST", "/v2/sandboxes", Map.of("X-API-KEY", Api.ADMIN_KEY), "{\"metadata\": {\"fixture\": \"yes\"}}").json();
        sandbox = created.path("sandboxID").asString();
        token = created.path("envdAccessToken").asString();
        assertThat(sandbox).startsWith("sb");
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "POST|/v2/sandboxes|null|400",
            "POST|/v2/sandboxes|[]|400",
            "POST|/v2/sandboxes|\"x\"|400",
            "POST|/v2/sandboxes|{bad json|400",
            "POST|/v2/sandboxes|{\"timeout\": -1}|400",
            "POST|/v2/sandboxes|{\"timeout\": \"60\"}|400",
            "POST|/v2/sandboxes|{\"timeout\": 1e30}|400",
            "POST|/v2/sandboxes|{\"templateID\": \"no-such-template\"}|400",
            "POST|/v2/sandboxes|{\"templateID\": 7}|400",
            "POST|/v2/sandboxes|{\"metadata\": {\"bad key!\": \"x\"}}|400",
            "POST|/v2/sandboxes|{\"metadata\": {\"k\": 1}}|400",
            "POST|/v2/sandboxes|{\"metadata\": []}|400",
            "POST|/v2/sandboxes|{\"envVars\": {\"1BAD\": \"x\"}}|400",
            "POST|/v2/sandboxes|{\"autoPause\": \"yes\"}|400",
            "POST|/v2/sandboxes|{\"autoResume\": {\"enabled\": 1}}|400",
            "POST|/v2/sandboxes|{\"volumeMounts\": [{\"name\": \"v\", \"path\": \"/data\"}]}|400",
            "GET|/sandboxes/sbaaaaaaaaaaaaaa||404",
            "GET|/sandboxes/not-an-id||404",
            "DELETE|/sandboxes/sbaaaaaaaaaaaaaa||404",
            "POST|/sandboxes/sbaaaaaaaaaaaaaa/pause||404",
            "POST|/v2/sandboxes/sbaaaaaaaaaaaaaa/connect|{}|404",
            "POST|/sandboxes/sbaaaaaaaaaaaaaa/timeout|{\"timeout\": 60}|404",
            "POST|/sandboxes/SANDBOX/timeout|{}|400",
            "POST|/sandboxes/SANDBOX/timeout|{\"timeout\": \"x\"}|400",
            "POST|/v2/sandboxes/SANDBOX/connect|{\"timeout\": -5}|400",
            "GET|/v2/sandboxes?limit=0||400",
            "GET|/v2/sandboxes?limit=abc||400",
            "GET|/v2/sandboxes?state=sleeping||400",
            "GET|/v2/sandboxes?nextToken=%25%25%25||400",
            "GET|/v2/sandboxes?metadata=noequals||400",
            "GET|/v2/sandboxes?metadata=k%3D%25zz||400",
            "GET|/sandboxes/sbaaaaaaaaaaaaaa/metrics||404",
            "GET|/sandboxes/SANDBOX/metrics?start=yesterday||400",
            "GET|/sandboxes/SANDBOX/metrics?end=-1||400",
            "POST|/sandboxes/sbaaaaaaaaaaaaaa/snapshots|{}|404",
            "POST|/sandboxes/SANDBOX/snapshots|{\"name\": 7}|400",
            "POST|/sandboxes/SANDBOX/snapshots|{\"name\": \"\"}|400",
            "POST|/sandboxes/SANDBOX/snapshots|[]|400",
            "POST|/sandboxes/sbaaaaaaaaaaaaaa/fork|{\"count\": 2}|404",
            "POST|/sandboxes/SANDBOX/fork|{\"count\": 0}|400",
            "POST|/sandboxes/SANDBOX/fork|{\"count\": 21}|400",
            "POST|/sandboxes/SANDBOX/fork|{\"count\": \"two\"}|400",
            "POST|/sandboxes/SANDBOX/fork|{\"timeout\": -1}|400",
            "DELETE|/templates/snnosuchsnapshot||404",
            "POST|/v2/sandboxes|{\"templateID\": \"snnosuchsnapshot\"}|400",
    })
    void theControlPlaneRefusesBadInputInE2bsShape(String method, String path, String body, int status) {
        Answer answer = send(method, path.replace("SANDBOX", sandbox), Map.of("X-API-KEY", Api.ADMIN_KEY), body == null ? "" : body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("code").asInt()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("message").asString()).isNotBlank();
        assertThat(send("GET", "/sandboxes/" + sandbox, Map.of("X-API-KEY", Api.ADMIN_KEY), "").status()).as("the fixture is untouched").isEqualTo(200);
    }

    @Test
    void theControlPlaneNeedsAKeyOfTheSandboxsProject() {
        assertThat(send("POST", "/v2/sandboxes", Map.of(), "{}").json().path("code").asInt()).isEqualTo(401);
        assertThat(send("POST", "/v2/sandboxes", Map.of("X-API-KEY", "pk_wrong"), "{}").json().path("code").asInt()).isEqualTo(401);
        Api admin = daemon.api();
        String other = admin.post("/v1/keys", Map.of("project", "other")).json().path("key").asString();
        Answer hidden = send("GET", "/sandboxes/" + sandbox, Map.of("X-API-KEY", other), "");
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(send("DELETE", "/sandboxes/" + sandbox, Map.of("X-API-KEY", other), "").status()).isEqualTo(404);
        assertThat(send("GET", "/v2/sandboxes", Map.of("X-API-KEY", other), "").json()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} ({3})")
    @CsvSource(delimiter = '|', value = {
            "GET|/health|NONE|400",
            "GET|/health|MISSING|502",
            "GET|/health|BAD_TOKEN|401",
            "GET|/files|GOOD|400",
            "GET|/files?path=/no/such/file|GOOD|404",
            "GET|/files?path=/tmp|GOOD|400",
            "POST|/files|GOOD|400",
    })
    void envdsHttpRoutesRefuseBadInputInEnvdsShape(String method, String path, String who, int status) {
        Answer answer = send(method, path, envdHeaders(who, "application/octet-stream"), "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("code").asInt()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("message").asString()).isNotBlank();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "/filesystem.Filesystem/Stat|null|invalid_argument|400",
            "/filesystem.Filesystem/Stat|{\"path\": 5}|invalid_argument|400",
            "/filesystem.Filesystem/Stat|{\"path\": \"\"}|invalid_argument|400",
            "/filesystem.Filesystem/Stat|{\"path\": \"/no/such\"}|not_found|404",
            "/filesystem.Filesystem/ListDir|{\"path\": \"/tmp\", \"depth\": 0}|invalid_argument|400",
            "/filesystem.Filesystem/ListDir|{\"path\": \"/tmp\", \"depth\": \"x\"}|invalid_argument|400",
            "/filesystem.Filesystem/Move|{\"source\": \"/no/such\", \"destination\": \"/tmp/x\"}|not_found|404",
            "/filesystem.Filesystem/Nothing|{}|unimplemented|404",
            "/process.Process/Start|{\"process\": {\"cmd\": \"true\"}}|invalid_argument|400",
            "/process.Process/SendSignal|{\"process\": {\"pid\": 999999}, \"signal\": \"SIGNAL_SIGKILL\"}|not_found|404",
            "/process.Process/SendSignal|{\"process\": {\"pid\": 1}, \"signal\": \"SIGNAL_SIGSTOP\"}|invalid_argument|400",
            "/process.Process/SendSignal|{\"process\": {}, \"signal\": \"SIGNAL_SIGKILL\"}|invalid_argument|400",
            "/process.Process/SendInput|{\"process\": {\"pid\": 1}, \"input\": {\"stdin\": \"%%%\"}}|invalid_argument|400",
            "/process.Process/List|[]|invalid_argument|400",
    })
    void unaryCallsRefuseBadInputWithConnectErrors(String path, String body, String code, int status) {
        Answer answer = send("POST", path, envdHeaders("GOOD", "application/json"), body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("code").asString()).as(answer.body()).isEqualTo(code);
    }

    @Test
    void streamingCallsTellTheirErrorsInTheStream() {
        Answer truncated = sendBytes("/process.Process/Start", new byte[] {0, 0, 0, 0, 100, '{'});
        assertThat(truncated.status()).isEqualTo(200);
        assertThat(endOfStream(truncated.bytes()).path("error").path("code").asString()).isEqualTo("invalid_argument");

        Answer noSuchProgram = sendBytes("/process.Process/Start", envelope("{\"process\": {\"cmd\": \"/no/such/program\"}}"));
        assertThat(noSuchProgram.status()).isEqualTo(200);
        assertThat(endOfStream(noSuchProgram.bytes()).path("error").path("code").asString()).isEqualTo("invalid_argument");

        Answer unknownPid = sendBytes("/process.Process/Connect", envelope("{\"process\": {\"pid\": 999999}}"));
        assertThat(endOfStream(unknownPid.bytes()).path("error").path("code").asString()).isEqualTo("not_found");

        Answer notADirectory = sendBytes("/filesystem.Filesystem/WatchDir", envelope("{\"path\": \"/etc/hostname\"}"));
        assertThat(endOfStream(notADirectory.bytes()).path("error").path("code").asString()).isEqualTo("invalid_argument");
    }

    @ParameterizedTest(name = "port {0} of {1}")
    @CsvSource(delimiter = '|', value = {
            "8000|sbaaaaaaaaaaaaaa|/some/path|502",
            "not-a-port|SANDBOX|/health|400",
            "70000|SANDBOX|/health|400",
            "0|SANDBOX|/health|400",
    })
    void aPortNamedByHeaderThatCannotBeReachedIsRefused(String port, String id, String path, int status) {
        Answer answer = send("GET", path, Map.of("E2b-Sandbox-Id", id.replace("SANDBOX", sandbox), "E2b-Sandbox-Port", port), "");
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().path("message").asString()).as(answer.body()).isNotBlank();
    }

    private static Map<String, String> envdHeaders(String who, String contentType) {
        return switch (who) {
            case "NONE" -> Map.of("Content-Type", contentType);
            case "MISSING" -> Map.of("E2b-Sandbox-Id", "sbaaaaaaaaaaaaaa", "Content-Type", contentType);
            case "BAD_TOKEN" -> Map.of("E2b-Sandbox-Id", sandbox, "X-Access-Token", "wrong", "Content-Type", contentType);
            default -> Map.of("E2b-Sandbox-Id", sandbox, "X-Access-Token", token, "Content-Type", contentType);
        };
    }

    private static byte[] envelope(String message) {
        byte[] json = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + json.length).put((byte) 0).putInt(json.length).put(json).array();
    }

    /** The JSON of the stream's last envelope, which must be its end-of-stream message (flags 2). */
    private static JsonNode endOfStream(byte[] body) {
        ByteBuffer stream = ByteBuffer.wrap(body);
        JsonNode last = null;
        int flags = -1;
        while (stream.remaining() >= 5) {
            flags = stream.get();
            byte[] message = new byte[stream.getInt()];
            stream.get(message);
            last = JSON.readTree(message);
        }
        assertThat(flags).as("the stream ends with an end-of-stream envelope").isEqualTo(2);
        return last;
    }

    private record Answer(int status, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(bytes);
        }
    }

    private static Answer sendBytes(String path, byte[] body) {
        Map<String, String> headers = envdHeaders("GOOD", "application/connect+json");
        return exchange(request(path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static Answer send(String method, String path, Map<String, String> headers, String body) {
        return exchange(request(path, headers).method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpRequest.Builder request(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(daemon.api().baseUri().toString().replaceAll("/$", "") + path));
        headers.forEach(request::header);
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        return request;
    }

    private static Answer exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as("never a 5xx but 502 for a sandbox envd cannot reach").satisfiesAnyOf(
                    status -> assertThat(status).isLessThan(500), status -> assertThat(status).isEqualTo(502));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
