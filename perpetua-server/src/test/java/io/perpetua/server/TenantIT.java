package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Projects and keys against a real daemon: every endpoint of the API, called with another
 * project's key, answers as if the sandbox did not exist and changes nothing; revoked and
 * missing keys get 401; keys survive a restart; the proxy never hands a key to the sandbox.
 */
class TenantIT {

    private static Daemon daemon;
    private static Api admin;
    private static Api blue;
    private static String adminSandbox;
    private static String adminProcess;

    @BeforeAll
    static void start() {
        daemon = Daemon.start("--idle-timeout", "1h");
        admin = daemon.api();
        blue = admin.withKey(issue(Map.of("project", "blue", "name", "blue team")).path("key").asString());
        adminSandbox = admin.create(Map.of("labels", Map.of("owner", "admin")));
        admin.sh(adminSandbox, "echo original > /root/secret.txt");
        Api.Response process = admin.post("/v1/sandboxes/" + adminSandbox + "/processes", Map.of("cmd", EchoServer.command()));
        assertThat(process.status()).as(process.body()).isEqualTo(201);
        adminProcess = process.json().path("id").asString();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static JsonNode issue(Map<String, Object> body) {
        Api.Response issued = admin.post("/v1/keys", body);
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        return issued.json();
    }

    /** One call of an endpoint, with a body good enough that only the caller can be what is wrong. */
    private record Call(String method, String path, String body) {
    }

    /** Every operation of the OpenAPI document on a sandbox, filled in for {@code id}. */
    private static List<Call> everySandboxEndpoint(String id) {
        JsonNode paths = admin.get("/v1/openapi.json").json().path("paths");
        List<Call> calls = new ArrayList<>();
        for (String template : paths.propertyNames()) {
            if (!template.contains("{id}")) {
                continue;
            }
            String path = template.replace("{id}", id).replace("{processId}", adminProcess).replace("{port}", "8000").replace("{path}", "x")
                    .replace("{previewId}", "pvaaaaaaaaaaaaaa");
            for (String method : paths.path(template).propertyNames()) {
                calls.add(new Call(method.toUpperCase(), path + query(path), body(path, method)));
            }
        }
        return calls;
    }

    private static String query(String path) {
        return path.contains("/files") ? "?path=/root/secret.txt&depth=1" : path.endsWith("/terminal") ? "?rows=24&cols=80" : "";
    }

    private static String body(String path, String method) {
        if (!method.equals("post") && !method.equals("put")) {
            return "";
        }
        return switch (path.substring(path.lastIndexOf('/') + 1)) {
            case "exec", "processes" -> "{\"cmd\":[\"sh\",\"-c\",\"echo hacked > /root/secret.txt\"]}";
            case "stdin" -> "{\"data\":\"hello\"}";
            case "signal" -> "{\"signal\":\"KILL\"}";
            case "mkdir" -> "{\"path\":\"/root/intruder\"}";
            case "move" -> "{\"from\":\"/root/secret.txt\",\"to\":\"/root/moved.txt\"}";
            case "previews" -> "{\"port\":8000}";
            default -> path.contains("/files") ? "hacked" : "";
        };
    }

    private static boolean upgradeOnly(Call call) {
        return call.path().contains("/terminal") || call.path().contains("/tcp/");
    }

    private static Api.Response send(Api api, Call call) {
        return upgradeOnly(call) ? api.upgrade(call.path()) : api.send(call.method(), call.path(), call.body());
    }

    @Test
    void anotherProjectsKeyFindsNothingOnAnyEndpointAndChangesNothing() {
        List<Call> calls = everySandboxEndpoint(adminSandbox);
        assertThat(calls).as("the document lists the sandbox endpoints").hasSizeGreaterThan(30);
        Api.Response unknown = blue.get("/v1/sandboxes/sbzzzzzzzzzzzzzz");

        SoftAssertions softly = new SoftAssertions();
        for (Call call : calls) {
            Api.Response response = send(blue, call);
            softly.assertThat(response.status()).as(call + " -> " + response.body()).isEqualTo(404);
            if (!call.method().equals("HEAD")) {
                softly.assertThat(response.errorCode()).as(call.toString()).isEqualTo("sandbox_not_found");
                softly.assertThat(response.body()).as("the same answer as for a sandbox that does not exist")
                        .isEqualTo(unknown.body().replace("sbzzzzzzzzzzzzzz", adminSandbox));
            }
        }
        for (Call call : calls.stream().filter(c -> c.path().contains("/ports/")).toList()) {
            Api.Response response = blue.upgrade(call.path());
            softly.assertThat(response.status()).as("WebSocket " + call).isEqualTo(404);
        }
        softly.assertAll();

        assertThat(blue.get("/v1/sandboxes").json().path("sandboxes")).isEmpty();
        assertThat(admin.state(adminSandbox)).isEqualTo("running");
        assertThat(admin.sh(adminSandbox, "cat /root/secret.txt; ls /root")).isEqualTo("original\nsecret.txt\n");
        assertThat(admin.get("/v1/sandboxes/" + adminSandbox + "/processes/" + adminProcess).json().path("status").asString())
                .isEqualTo("running");
    }

    @Test
    void eachProjectSeesOnlyItsOwnSandboxes() {
        Api.Response created = blue.post("/v1/sandboxes", Map.of());
        assertThat(created.status()).isEqualTo(201);
        String blueSandbox = created.json().path("id").asString();
        try {
            assertThat(created.json().path("project").asString()).isEqualTo("blue");
            assertThat(blue.get("/v1/sandboxes").json().path("sandboxes").findValuesAsString("id")).containsExactly(blueSandbox);
            assertThat(admin.get("/v1/sandboxes").json().path("sandboxes").findValuesAsString("id"))
                    .contains(adminSandbox).doesNotContain(blueSandbox);
            // The admin key manages keys; it is a key of the default project, not a key to every sandbox.
            assertThat(admin.post("/v1/sandboxes/" + blueSandbox + "/exec", Map.of("cmd", List.of("true"))).status()).isEqualTo(404);
            assertThat(blue.exec(blueSandbox, "true").path("exitCode").asInt()).isZero();
        } finally {
            assertThat(blue.delete("/v1/sandboxes/" + blueSandbox).status()).isEqualTo(204);
        }
    }

    @Test
    void missingMalformedUnknownAndRevokedKeysAreUnauthorizedEverywhere() {
        JsonNode doomed = issue(Map.of("project", "green"));
        Api green = admin.withKey(doomed.path("key").asString());
        assertThat(green.get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(admin.delete("/v1/keys/" + doomed.path("id").asString()).status()).isEqualTo(204);

        List<Api> strangers = List.of(green, admin.withKey(null), admin.withKey("pk_not_a_key_of_this_daemon_at_all"));
        List<Call> calls = new ArrayList<>(everySandboxEndpoint(adminSandbox));
        calls.add(new Call("GET", "/v1/sandboxes", ""));
        calls.add(new Call("POST", "/v1/sandboxes", "{}"));
        calls.add(new Call("GET", "/v1/keys", ""));
        SoftAssertions softly = new SoftAssertions();
        for (Api stranger : strangers) {
            for (Call call : calls) {
                Api.Response response = send(stranger, call);
                softly.assertThat(response.status()).as(call + " with " + stranger.key()).isEqualTo(401);
            }
        }
        softly.assertAll();
        Api.Response revoked = green.get("/v1/sandboxes");
        assertThat(revoked.errorCode()).isEqualTo("unauthorized");
        assertThat(revoked.body()).contains("revoked").doesNotContain(green.key());
        assertThat(admin.withKey(null).get("/v1/sandboxes").body()).contains("Authorization: Bearer");
        assertThat(admin.withKey(null).get("/healthz").status()).as("health needs no key").isEqualTo(200);
        assertThat(admin.withKey(null).get("/v1/openapi.json").status()).as("nor does the API's description").isEqualTo(200);
    }

    @Test
    void onlyAdminKeysManageKeysAndTheLastAdminKeyStays() {
        assertThat(blue.get("/v1/keys").status()).isEqualTo(403);
        assertThat(blue.post("/v1/keys", Map.of("project", "blue")).errorCode()).isEqualTo("forbidden");
        assertThat(blue.delete("/v1/keys/akaaaaaaaaaaaaaa").status()).isEqualTo(403);

        JsonNode keys = admin.get("/v1/keys").json().path("keys");
        assertThat(keys.findValuesAsString("project")).contains("default", "blue");
        assertThat(keys.toString()).doesNotContain(blue.key()).doesNotContain(Api.ADMIN_KEY);
        String adminKeyId = keys.get(0).path("id").asString();
        assertThat(admin.delete("/v1/keys/" + adminKeyId).errorCode()).isEqualTo("last_admin_key");

        assertThat(admin.post("/v1/keys", Map.of("project", "Not A Project")).errorField()).isEqualTo("project");
        assertThat(admin.post("/v1/keys", Map.of("admin", "yes")).errorField()).isEqualTo("admin");
        assertThat(admin.post("/v1/keys", Map.of("owner", "x")).status()).isEqualTo(400);
        assertThat(admin.delete("/v1/keys/not-a-key").errorField()).isEqualTo("id");
        assertThat(admin.delete("/v1/keys/akzzzzzzzzzzzzzz").errorCode()).isEqualTo("key_not_found");
    }

    @Test
    void theProxyNeverHandsTheApiKeyToTheSandbox() {
        Api.Response proxied = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> admin.get("/v1/sandboxes/" + adminSandbox + "/ports/8000/"), response -> response.status() == 200);

        assertThat(proxied.body()).containsIgnoringCase("host:").doesNotContainIgnoringCase("authorization")
                .doesNotContain(Api.ADMIN_KEY);
    }

    @Test
    void keysAndRevocationsSurviveARestart() {
        JsonNode kept = issue(Map.of("project", "violet"));
        JsonNode dropped = issue(Map.of("project", "violet"));
        assertThat(admin.delete("/v1/keys/" + dropped.path("id").asString()).status()).isEqualTo(204);

        daemon.restart();

        assertThat(admin.withKey(kept.path("key").asString()).get("/v1/sandboxes").status()).isEqualTo(200);
        assertThat(admin.withKey(dropped.path("key").asString()).get("/v1/sandboxes").status()).isEqualTo(401);
        assertThat(admin.get("/v1/sandboxes/" + adminSandbox).json().path("project").asString()).isEqualTo("default");
    }

    @Test
    void eachProjectIsHeldToItsLimitsAloneWithA429ThatSaysWhichOne() {
        try (Daemon limited = Daemon.start("--project-max-sandboxes", "2", "--project-max-running", "1", "--idle-timeout", "1h")) {
            Api owner = limited.api();
            Api other = owner.withKey(owner.post("/v1/keys", Map.of("project", "other")).json().path("key").asString());
            String first = owner.create(Map.of());

            Api.Response secondRunning = owner.post("/v1/sandboxes", Map.of());
            assertThat(secondRunning.status()).isEqualTo(429);
            assertThat(secondRunning.errorCode()).isEqualTo("project_running_limit");
            assertThat(other.post("/v1/sandboxes", Map.of()).status()).as("another project has its own limits").isEqualTo(201);

            assertThat(owner.post("/v1/sandboxes/" + first + "/standby", "").status()).isEqualTo(200);
            String second = owner.create(Map.of());
            Api.Response wake = owner.post("/v1/sandboxes/" + first + "/exec", Map.of("cmd", List.of("true")));
            assertThat(wake.status()).as(wake.body()).isEqualTo(429);
            assertThat(wake.errorCode()).isEqualTo("project_running_limit");
            assertThat(owner.state(first)).as("a refused wake leaves the sandbox asleep").isEqualTo("standby");

            assertThat(owner.post("/v1/sandboxes/" + second + "/standby", "").status()).isEqualTo(200);
            Api.Response third = owner.post("/v1/sandboxes", Map.of());
            assertThat(third.errorCode()).isEqualTo("project_sandbox_limit");
            assertThat(third.body()).contains("--project-max-sandboxes");
            assertThat(owner.exec(first, "true").path("exitCode").asInt()).isZero();
        }
    }

    @Test
    void theFirstStartPrintsARandomAdminKeyOnceAndStoresOnlyItsHash() throws IOException {
        try (Daemon fresh = Daemon.startPrintingAdminKey()) {
            Matcher printed = Pattern.compile("export PERPETUA_API_KEY=(pk_\\S+)").matcher(fresh.output());
            assertThat(printed.find()).as(fresh.output()).isTrue();
            String key = printed.group(1);
            Api api = fresh.api().withKey(key);
            assertThat(api.get("/v1/keys").json().path("keys").get(0).path("admin").asBoolean()).isTrue();
            assertThat(fresh.api().get("/v1/sandboxes").status()).as("the test's usual key is not this daemon's").isEqualTo(401);

            fresh.restart();

            assertThat(fresh.output()).doesNotContain("PERPETUA_API_KEY=");
            assertThat(api.get("/v1/sandboxes").status()).isEqualTo(200);
            assertThat(filesHolding(fresh.dataDirectory(), key)).as("the secret is stored nowhere").isEmpty();
        }
    }

    /** The files directly in {@code directory} (the store, its journal, the daemon's own files) that contain {@code text}. */
    private static List<Path> filesHolding(Path directory, String text) throws IOException {
        List<Path> holding = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // Byte for byte: the key is ASCII, and ISO-8859-1 maps every byte to one character.
                if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
                    holding.add(file);
                }
            }
        }
        return holding;
    }
}
