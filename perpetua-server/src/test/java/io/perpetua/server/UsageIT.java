package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The usage ledger against a real daemon and real sandboxes: time in each state adds up to the
 * sandbox's whole life, across a kill -9 of the daemon, with nothing counted twice; reports
 * group by sandbox, label and day, come as CSV, and show each project only its own usage.
 */
class UsageIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Daemon daemon;
    private static Api admin;
    private static Api blue;

    @BeforeAll
    static void start() {
        daemon = Daemon.start("--idle-timeout", "2s", "--warm-pool", "0", "--price-vcpu-second", "0.001",
                "--price-gb-second", "0.0001", "--price-storage-gb-month", "1");
        admin = daemon.api();
        Api.Response issued = admin.post("/v1/keys", Map.of("project", "blue", "name", "blue team"));
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        blue = admin.withKey(issued.json().path("key").asString());
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void everyMomentIsCountedOnceAcrossAKillOfTheDaemon() throws Exception {
        String id = admin.create(Map.of("labels", Map.of("team", "search"), "cpus", 0.5, "memoryMb", 512));
        Instant created = Instant.parse(admin.get("/v1/sandboxes/" + id).json().path("createdAt").asString());
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.state(id).equals("standby"));
        daemon.kill9();
        Thread.sleep(1000);
        daemon.restart();
        admin.sh(id, "echo awake");                            // running again, after the restart
        assertThat(admin.post("/v1/sandboxes/" + id + "/hibernate", "").status()).isEqualTo(200);
        Thread.sleep(500);

        Instant to = Instant.now();
        JsonNode row = only(report("?groupBy=sandbox&to=" + to).path("rows"), id);
        JsonNode usage = row.path("usage");
        double lived = Duration.between(created, to).toMillis() / 1000.0;
        double counted = usage.path("runningSeconds").asDouble() + usage.path("standbySeconds").asDouble()
                + usage.path("hibernatedSeconds").asDouble();
        assertThat(counted).as("running + standby + hibernated against the sandbox's whole life").isCloseTo(lived, within(2.0))
                .isLessThanOrEqualTo(lived);
        assertThat(usage.path("standbySeconds").asDouble()).as("the time asleep, the daemon's death included").isGreaterThan(1.0);
        assertThat(usage.path("runningSeconds").asDouble()).isGreaterThan(1.0);
        assertThat(usage.path("hibernatedSeconds").asDouble()).isGreaterThan(0.2);
        assertThat(usage.path("vcpuSeconds").asDouble()).isCloseTo(0.5 * usage.path("runningSeconds").asDouble(), within(1e-6));
        assertThat(usage.path("memoryGbSeconds").asDouble()).isCloseTo(0.5 * usage.path("runningSeconds").asDouble(), within(1e-6));
        assertThat(usage.path("storageGbSeconds").asDouble()).as("a dormant sandbox is metered by what it stores").isGreaterThan(0);
        assertThat(usage.path("peakMemoryBytes").asLong()).isGreaterThan(1 << 20);
        assertThat(row.path("cost").path("compute").asDouble()).isCloseTo(0.001 * usage.path("vcpuSeconds").asDouble(), within(1e-9));

        JsonNode byLabel = report("?groupBy=label&label=team&to=" + to).path("rows");
        assertThat(only(byLabel, "search").path("usage").path("runningSeconds").asDouble())
                .isCloseTo(usage.path("runningSeconds").asDouble(), within(1e-6));
        JsonNode byDay = report("?groupBy=day&to=" + to);
        assertThat(byDay.path("total").path("usage").path("runningSeconds").asDouble())
                .isCloseTo(report("?to=" + to).path("total").path("usage").path("runningSeconds").asDouble(), within(1e-6));
        admin.delete("/v1/sandboxes/" + id);
    }

    @Test
    void transitionsStreamAsEventsAndMakeTheSandboxsTimeline() throws Exception {
        SseClient sse = new SseClient(admin);
        AtomicReference<String> created = new AtomicReference<>("none yet");
        CompletableFuture<List<SseClient.Event>> following = CompletableFuture.supplyAsync(() -> sse.read("/v1/events", null,
                events -> events.stream().anyMatch(event -> event.data().contains(created.get())
                        && JSON.readTree(event.data()).path("to").asString().equals("standby"))));
        Thread.sleep(500);
        String id = admin.create(Map.of());
        created.set(id);
        List<SseClient.Event> events = following.get(60, TimeUnit.SECONDS).stream()
                .filter(event -> event.data().contains(id)).toList();
        assertThat(events).extracting(SseClient.Event::name).containsOnly("transition");
        assertThat(events).extracting(event -> JSON.readTree(event.data()).path("to").asString()).containsExactly("running", "standby");
        assertThat(JSON.readTree(events.getLast().data()).path("from").asString()).isEqualTo("running");

        List<SseClient.Event> missed = sse.read("/v1/events", events.getFirst().id(), seen -> seen.stream().anyMatch(
                event -> event.id().equals(events.getLast().id())));
        assertThat(missed.stream().filter(event -> event.data().contains(id))).extracting(SseClient.Event::id)
                .containsExactly(events.getLast().id());
        assertThat(admin.get("/v1/events?after=soon").errorField()).isEqualTo("after");

        JsonNode intervals = admin.get("/v1/sandboxes/" + id + "/timeline").json().path("intervals");
        assertThat(intervals).hasSize(2);
        assertThat(intervals.get(0).path("state").asString()).isEqualTo("running");
        assertThat(intervals.get(0).path("to").asString()).isEqualTo(intervals.get(1).path("from").asString());
        assertThat(intervals.get(1).path("state").asString()).isEqualTo("standby");
        assertThat(intervals.get(1).path("to").isNull()).isTrue();
        assertThat(admin.state(id)).as("reading the timeline wakes nothing").isEqualTo("standby");
        assertThat(blue.get("/v1/sandboxes/" + id + "/timeline").status()).isEqualTo(404);
        admin.delete("/v1/sandboxes/" + id);
    }

    @Test
    void csvHasAHeaderALinePerGroupAndTheTotal() {
        String id = admin.create(Map.of("labels", Map.of("team", "csv, \"quoted\"")));
        Api.Response csv = admin.get("/v1/usage?format=csv&groupBy=label&label=team");
        assertThat(csv.status()).isEqualTo(200);
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.getFirst()).startsWith("key,running_seconds,standby_seconds,reclaimed_seconds,hibernated_seconds,vcpu_seconds");
        assertThat(lines).anyMatch(line -> line.startsWith("\"csv, \"\"quoted\"\"\","));
        assertThat(lines.getLast()).startsWith("total,").endsWith(",USD");
        admin.delete("/v1/sandboxes/" + id);
    }

    @Test
    void aProjectSeesOnlyItsOwnUsage() {
        String mine = blue.create(Map.of());
        String theirs = admin.create(Map.of());
        JsonNode rows = blue.get("/v1/usage").json().path("rows");
        assertThat(rows.findValuesAsString("key")).contains(mine).doesNotContain(theirs);
        blue.delete("/v1/sandboxes/" + mine);
        admin.delete("/v1/sandboxes/" + theirs);
    }

    @Test
    void theCostModelPricesATraceUnderEachPolicy() {
        Api.Response priced = admin.post("/v1/cost-model", Map.of("trace", "a,0,60\na,100,60\na,1000,60\n",
                "inputs", Map.of("rebuildSeconds", 10, "createSeconds", 0, "resumeStandbySeconds", 0.5, "resumeHibernatedSeconds", 2)));
        assertThat(priced.status()).as(priced.body()).isEqualTo(200);
        JsonNode policies = priced.json().path("policies");
        assertThat(policies.findValuesAsString("policy")).containsExactly("ephemeral", "persistent", "perpetual");
        assertThat(policies.get(0).path("runningSeconds").asDouble()).isEqualTo(210);
        assertThat(policies.get(1).path("runningSeconds").asDouble()).isEqualTo(1060);
        assertThat(policies.get(2).path("runningSeconds").asDouble()).isEqualTo(222.5);
        assertThat(policies.get(2).path("cost").path("compute").asDouble()).isCloseTo(222.5 * 0.001, within(1e-9));

        Api.Response generated = admin.post("/v1/cost-model", Map.of("generate", Map.of("activeRatio", 0.05, "sessions", 20)));
        assertThat(generated.json().path("activeRatio").asDouble()).isCloseTo(0.05, within(0.015));
        Api.Response trace = admin.get("/v1/cost-model/trace?activeRatio=0.2&sessions=2&hours=1&seed=3");
        assertThat(trace.body()).startsWith("session,start_seconds,duration_seconds\ns1,0,");

        assertThat(admin.post("/v1/cost-model", Map.of("trace", "a,0,ten")).errorField()).isEqualTo("trace");
        assertThat(admin.post("/v1/cost-model", Map.of()).errorField()).isEqualTo("trace");
        assertThat(admin.post("/v1/cost-model", Map.of("generate", Map.of("activeRatio", 2))).errorField()).isEqualTo("activeRatio");
        assertThat(admin.get("/v1/cost-model/trace?activeRatio=x").errorField()).isEqualTo("activeRatio");
    }

    @Test
    void badQueriesAreRefusedNamingTheField() {
        assertThat(admin.get("/v1/usage?groupBy=week").errorField()).isEqualTo("groupBy");
        assertThat(admin.get("/v1/usage?groupBy=label").errorField()).isEqualTo("label");
        assertThat(admin.get("/v1/usage?from=yesterday").errorField()).isEqualTo("from");
        assertThat(admin.get("/v1/usage?from=2026-11-28T10:00:00Z&to=2026-11-28T09:00:00Z").errorField()).isEqualTo("from");
        assertThat(admin.get("/v1/usage?format=xml").errorField()).isEqualTo("format");
        assertThat(admin.withKey(null).get("/v1/usage").status()).isEqualTo(401);
    }

    private static JsonNode report(String query) {
        Api.Response response = admin.get("/v1/usage" + query);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode only(JsonNode rows, String key) {
        for (JsonNode row : rows) {
            if (row.path("key").asString().equals(key)) {
                return row;
            }
        }
        throw new AssertionError("no row " + key + " in " + rows);
    }
}
