package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sandboxes' lifecycles on a real daemon: expiry rules delete a sandbox when its owner said, and
 * never one in use for being idle; a rule changed while it hibernates; a deadline that passed
 * while the daemon was down fires at start; the three models side by side; bad rules refused.
 */
class LifecycleIT {

    private static Daemon daemon;
    private static Api api;
    private final List<String> sandboxes = new ArrayList<>();

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "2s", "--hibernate-after", "1h",
                "--tick-interval", "100ms");
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
    }

    @Test
    void aTtlIdleRuleDeletesTheIdleSandboxButNotTheOneInUse() {
        Map<String, Object> lifecycle = Map.of("expirationPolicies", List.of(Map.of("type", "ttl-idle", "value", "5s")));
        String idle = create(Map.of("lifecycle", lifecycle));
        String busy = create(Map.of("lifecycle", lifecycle));
        JsonNode shown = api.get("/v1/sandboxes/" + idle).json();
        assertThat(shown.path("lifecycle").path("expirationPolicies").get(0).path("value").asString()).isEqualTo("5s");
        assertThat(Instant.parse(shown.path("expiresAt").asString())).isAfter(Instant.now());

        Instant until = Instant.now().plusSeconds(9);
        while (Instant.now().isBefore(until)) {
            assertThat(api.sh(busy, "echo working")).isEqualTo("working\n");
            await().pollDelay(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> true);
        }
        assertThat(api.get("/v1/sandboxes/" + idle).status()).as("idle 9 s with a 5 s rule").isEqualTo(404);
        assertThat(api.get("/v1/sandboxes/" + busy).status()).as("in use all along").isEqualTo(200);

        JsonNode timeline = api.get("/v1/sandboxes/" + idle + "/timeline").json();
        assertThat(timeline.path("state").asString()).isEqualTo("deleted");
        assertThat(timeline.path("reason").asString()).isEqualTo("expired: ttl-idle 5s");
        List<String> told = new ArrayList<>();
        new SseClient(api).read("/v1/events", "1", events -> events.stream().anyMatch(e -> isExpiry(e, idle))).stream()
                .filter(e -> isExpiry(e, idle)).forEach(e -> told.add(e.data()));
        assertThat(told).singleElement().asString().contains(idle, "expired: ttl-idle 5s");
    }

    @Test
    void aRuleChangedWhileHibernatedDeletesItWithoutWakingIt() {
        String sandbox = create(Map.of());
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/hibernate", "").status()).isEqualTo(200);
        Api.Response patched = api.send("PATCH", "/v1/sandboxes/" + sandbox,
                "{\"lifecycle\": {\"expirationPolicies\": [{\"type\": \"ttl-max-age\", \"value\": \"1d\"}]}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("state").asString()).as("not woken").isEqualTo("hibernated");
        assertThat(api.state(sandbox)).isEqualTo("hibernated");

        String soon = Instant.now().plusSeconds(2).toString();
        api.send("PATCH", "/v1/sandboxes/" + sandbox, "{\"lifecycle\": {\"expirationPolicies\": [{\"type\": \"date\", \"value\": \"" + soon + "\"}]}}");
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/sandboxes/" + sandbox).status() == 404);
        assertThat(api.get("/v1/sandboxes/" + sandbox + "/timeline").json().path("reason").asString()).startsWith("expired: date ");
    }

    @Test
    void aDeadlineThatPassedWhileTheDaemonWasDownFiresAtStart() {
        String sandbox = create(Map.of("lifecycle", Map.of("expirationPolicies", List.of(Map.of("type", "ttl-max-age", "value", "4s")))));
        assertThat(api.post("/v1/sandboxes/" + sandbox + "/hibernate", "").status()).isEqualTo(200);
        daemon.terminate();
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        daemon.restart();
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/sandboxes/" + sandbox).status() == 404);
        assertThat(api.get("/v1/sandboxes/" + sandbox + "/timeline").json().path("reason").asString()).isEqualTo("expired: ttl-max-age 4s");
    }

    @Test
    void theThreeModelsSideBySide() {
        String perpetual = create(Map.of("lifecycle", Map.of("onIdle", "standby")));
        String persistent = create(Map.of("lifecycle", Map.of("onIdle", "none")));
        String ephemeral = create(Map.of("lifecycle", Map.of("onIdle", "delete")));
        await().atMost(Duration.ofSeconds(15)).until(() -> api.get("/v1/sandboxes/" + ephemeral).status() == 404
                && api.state(perpetual).equals("standby"));
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertThat(api.state(persistent)).as("never sleeps").isEqualTo("running");
        assertThat(api.get("/v1/sandboxes/" + ephemeral + "/timeline").json().path("reason").asString()).contains("onIdle: delete");
    }

    @Test
    void rulesThatDoNotParseAreRefusedAndChangeNothing() {
        String sandbox = create(Map.of());
        for (String bad : List.of("{\"onIdle\": \"sleep\"}", "{\"expirationPolicies\": [{\"type\": \"ttl-idle\", \"value\": \"soon\"}]}",
                "{\"expirationPolicies\": [{\"type\": \"forever\", \"value\": \"1d\"}]}",
                "{\"expirationPolicies\": [{\"type\": \"date\", \"value\": \"2027-02-30\"}]}",
                "{\"expirationPolicies\": [{\"type\": \"ttl-idle\", \"value\": \"1h\"}, {\"type\": \"ttl-idle\", \"value\": \"2h\"}]}",
                "{\"expirationPolicies\": [null]}")) {
            Api.Response refused = api.send("PATCH", "/v1/sandboxes/" + sandbox, "{\"lifecycle\": " + bad + "}");
            assertThat(refused.status()).as(bad + " -> " + refused.body()).isEqualTo(400);
            assertThat(refused.json().path("error").path("field").asString()).as(refused.body()).startsWith("lifecycle");
            Api.Response created = api.post("/v1/sandboxes", "{\"lifecycle\": " + bad + "}");
            assertThat(created.status()).as(bad + " -> " + created.body()).isEqualTo(400);
        }
        assertThat(api.send("PATCH", "/v1/sandboxes/" + sandbox, "{}").status()).isEqualTo(400);
        JsonNode unchanged = api.get("/v1/sandboxes/" + sandbox).json().path("lifecycle");
        assertThat(unchanged.path("onIdle").asString()).isEqualTo("standby");
        assertThat(unchanged.path("expirationPolicies")).isEmpty();
    }

    private static boolean isExpiry(SseClient.Event event, String sandbox) {
        return event.name().equals("expired") && event.data().contains(sandbox);
    }

    private String create(Map<String, Object> body) {
        Api.Response created = api.post("/v1/sandboxes", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        sandboxes.add(id);
        return id;
    }
}
