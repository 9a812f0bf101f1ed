package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Templates on a real daemon: a recipe that sets up files and starts an HTTP server is built
 * into a template whose sandboxes answer their first request at once, from the server the
 * template captured running; a template builds on another; a failed build says why and leaves
 * nothing behind.
 */
class TemplateIT {

    private static final String SERVER = "cd /srv && exec python3 -m http.server 8000 --bind 0.0.0.0";
    private static final String ASK = "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/index.html',"
            + " timeout=5).read().decode().strip())\"";

    private static Daemon daemon;
    private static Api api;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> templates = new ArrayList<>();

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "1h", "--hibernate-after", "1h");
        api = daemon.api();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void cleanUp() {
        sandboxes.forEach(id -> api.delete("/v1/sandboxes/" + id));
        templates.reversed().forEach(name -> api.delete("/v1/templates/" + name));
    }

    @Test
    void aTemplatesSandboxAnswersItsFirstRequestFromTheServerItCaptured() {
        JsonNode web = build(Map.of("name", "web", "diskMb", 1024,
                "setup", List.of("mkdir -p /srv", "echo hello-from-template > /srv/index.html"),
                "env", Map.of("GREETING", "hi"), "start", List.of(SERVER), "ready", ASK));
        assertThat(web.path("state").asString()).as(web.toString()).isEqualTo("ready");
        assertThat(web.path("buildLog").asString()).contains("$ mkdir -p /srv", "hello-from-template");
        assertThat(web.path("envNames").toString()).contains("GREETING");

        String sandbox = create(Map.of("template", "web", "env", Map.of("EXTRA", "1"), "labels", Map.of("team", "a")));
        assertThat(api.sh(sandbox, ASK).strip()).as("the first request, with no start-up").isEqualTo("hello-from-template");
        JsonNode info = api.get("/v1/sandboxes/" + sandbox).json();
        assertThat(info.path("template").asString()).isEqualTo("web");
        assertThat(info.path("diskMb").asInt()).isEqualTo(1024);
        assertThat(api.sh(sandbox, "echo $GREETING $EXTRA").strip()).isEqualTo("hi 1");
        assertThat(api.get("/v1/sandboxes/" + sandbox + "/ports/8000/index.html").body().strip()).isEqualTo("hello-from-template");

        await().atMost(Duration.ofMinutes(1)).until(() -> api.get("/v1/templates/web").json().path("warmCopies").asInt() == 1);
        String other = create(Map.of("template", "web", "lifecycle", Map.of("onIdle", "none",
                "expirationPolicies", List.of(Map.of("type", "ttl-max-age", "value", "7d")))));
        assertThat(api.get("/v1/sandboxes/" + other).json().path("lifecycle").path("onIdle").asString())
                .as("a template's sandbox takes the lifecycle asked for").isEqualTo("none");
        assertThat(api.sh(other, ASK).strip()).as("a copy kept ready answers at once too").isEqualTo("hello-from-template");
        assertThat(api.sh(other, "hostname").strip()).isEqualTo(other);
        assertThat(api.get("/v1/sandboxes/" + other).json().path("address").asString())
                .isNotEqualTo(api.get("/v1/sandboxes/" + sandbox).json().path("address").asString());
        api.sh(other, "echo changed > /srv/index.html");
        assertThat(api.sh(sandbox, ASK).strip()).as("each sandbox has its own copy").isEqualTo("hello-from-template");

        JsonNode layered = build(Map.of("name", "web-plus", "from", "web", "setup", List.of("echo more > /srv/more.txt")));
        assertThat(layered.path("state").asString()).as(layered.toString()).isEqualTo("ready");
        String third = create(Map.of("template", "web-plus"));
        assertThat(api.sh(third, ASK + " && cat /srv/more.txt")).isEqualTo("hello-from-template\nmore\n");

        String snapshot = web.path("snapshotId").asString();
        assertError(api.delete("/v1/snapshots/" + snapshot), 409, "snapshot_in_use");
        assertError(api.post("/v1/sandboxes", Map.of("template", "web", "memoryMb", 2048)), 400, "invalid_input");
        assertThat(names(api.get("/v1/templates").json())).containsExactly("web", "web-plus");
    }

    @Test
    void aFailedBuildSaysWhyAndLeavesNothingBehind() {
        JsonNode failed = build(Map.of("name", "broken", "setup", List.of("echo preparing", "echo oops >&2; exit 3", "echo never")));
        assertThat(failed.path("state").asString()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asString()).contains("setup[1]", "exited with 3");
        assertThat(failed.path("buildLog").asString()).contains("preparing", "oops").doesNotContain("never");
        assertError(api.post("/v1/sandboxes", Map.of("template", "broken")), 409, "template_failed");

        JsonNode slow = build(Map.of("name", "never-ready", "ready", "false", "readyTimeoutSeconds", 2));
        assertThat(slow.path("state").asString()).isEqualTo("failed");
        assertThat(slow.path("failureReason").asString()).contains("ready did not succeed within 2 s");
        assertThat(api.get("/v1/sandboxes").json().path("sandboxes")).as("no build sandbox is left").isEmpty();
        assertThat(api.get("/v1/snapshots").json().path("snapshots")).as("no snapshot is left").isEmpty();
    }

    @Test
    void badInputIsRefused() {
        templates.add("taken");
        assertThat(api.post("/v1/templates", Map.of("name", "taken")).status()).isEqualTo(202);
        assertError(api.post("/v1/templates", Map.of("name", "taken")), 409, "template_exists");
        assertError(api.post("/v1/templates", Map.of("name", "default")), 400, "invalid_input");
        assertError(api.post("/v1/templates", Map.of("name", "Bad Name")), 400, "invalid_input");
        assertError(api.post("/v1/templates", Map.of("name", "x", "from", "nosuch")), 400, "invalid_input");
        assertError(api.post("/v1/templates", Map.of("name", "x", "setup", List.of(""))), 400, "invalid_input");
        assertError(api.post("/v1/templates", Map.of("name", "x", "readyTimeoutSeconds", 0)), 400, "invalid_input");
        assertError(api.post("/v1/templates", Map.of("setup", List.of("true"))), 400, "invalid_input");
        assertError(api.get("/v1/templates/nosuch"), 404, "template_not_found");
        assertError(api.delete("/v1/templates/nosuch"), 404, "template_not_found");
        assertError(api.post("/v1/sandboxes", Map.of("template", "nosuch")), 400, "invalid_input");
        await().atMost(Duration.ofMinutes(2)).until(() -> !api.get("/v1/templates/taken").json().path("state").asString().equals("building"));
    }

    private JsonNode build(Map<String, Object> body) {
        String name = (String) body.get("name");
        Api.Response accepted = api.post("/v1/templates", body);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        templates.add(name);
        assertThat(accepted.json().path("state").asString()).isEqualTo("building");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> !api.get("/v1/templates/" + name).json().path("state").asString().equals("building"));
        return api.get("/v1/templates/" + name).json();
    }

    private String create(Map<String, Object> body) {
        Api.Response created = api.post("/v1/sandboxes", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        sandboxes.add(id);
        return id;
    }

    private static List<String> names(JsonNode listing) {
        List<String> names = new ArrayList<>();
        listing.path("templates").forEach(t -> names.add(t.path("name").asString()));
        return names;
    }

    private static void assertError(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("error").path("code").asString()).as(response.body()).isEqualTo(code);
    }
}
