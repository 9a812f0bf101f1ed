package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Requests made from the API's own OpenAPI document ({@code GET /v1/openapi.json}), sent to a
 * real daemon: the daemon answers every one with a success or a JSON error of the API's shape
 * ({@code {"error": {"code", "message", "field"?}}}), never a 5xx, never cut off, and stays up;
 * another project's sandbox is left exactly as it was (not even woken). A request line without
 * HTTP/1.x in it is a 400 too, not HTTP's 505: it is no HTTP at all rather than another version.
 *
 * <p>First come the requests derived from the document ({@link OpenApiFuzzer}): for every
 * operation, its valid request on real things (a sandbox, a process, a key, a preview, a web
 * server in the sandbox behind the port proxy), then that request made wrong one way at a
 * time: every path, query and header parameter and every body field missing, {@code null}, of
 * the wrong type, huge, negative, in odd unicode, nested junk or given twice; and on every
 * operation that takes a body, bodies of {@code null}, {@code []}, {@code ""}, {@code 0} and
 * worse, random bytes among them. Then random combinations of those until
 * {@code -Dperpetua.fuzz.requests} (10,000 unless given) are sent, seeded by
 * {@code -Dperpetua.fuzz.seed}. At the end it prints the seed and how many of each status,
 * error code and kind of request there were.
 *
 * <p>What the fuzzer spares: the operations that would take its fixtures away (deleting its
 * sandbox, putting it to sleep, giving it a lifecycle that deletes it, snapshotting or forking it) get a well-formed id of no sandbox instead (their only input
 * is that id; {@code SandboxApiIT} and {@code PerpetualLifecycleIT} cover them on real
 * sandboxes), and keys and previews it may revoke are spare ones. Its project may hold one
 * sandbox, so a valid create is refused with 429 after its validation instead of starting a
 * sandbox, and the sandbox's network policy takes addresses, never host names, so nothing is
 * looked up; all traffic stays on 127.0.0.1.
 *
 * <p>A long run, with another seed (100,000 requests take about four minutes on two cores):
 * <pre>
 * mvn -B -o -pl perpetua-server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=FuzzIT -Dfailsafe.failIfNoSpecifiedTests=false -Dperpetua.fuzz.requests=100000 -Dperpetua.fuzz.seed=7
 * </pre>
 */
class FuzzIT {

    private static final long SEED = Long.getLong("perpetua.fuzz.seed", 20261128L);
    private static final int REQUESTS = Integer.getInteger("perpetua.fuzz.requests", 10_000);
    /** A well-formed id that names no sandbox. */
    private static final String NO_SANDBOX = "sbzzzzzzzzzzzzzz";

    private static Daemon daemon;
    private static Api bystanders;
    private static String bystander;
    private static JsonNode bystanderBefore;
    private static Api fuzzer;
    private static OpenApiFuzzer.Fixtures fixtures;

    @BeforeAll
    static void start() {
        // One sandbox per project: a fuzzed create that happens to be valid is refused, and starts nothing.
        daemon = Daemon.start("--idle-timeout", "1h", "--project-max-sandboxes", "1", "--project-max-running", "1", "--warm-pool", "0");
        Api admin = daemon.api();
        bystanders = admin.withKey(admin.post("/v1/keys", Map.of("project", "bystanders")).json().path("key").asString());
        bystander = bystanders.create(Map.of("labels", Map.of("role", "bystander")));
        bystanders.sh(bystander, "echo untouched > /root/state");
        bystanders.post("/v1/sandboxes/" + bystander + "/standby", "");
        bystanderBefore = bystanders.get("/v1/sandboxes/" + bystander).json();
        // An admin key, so that the key routes read their input instead of answering 403.
        fuzzer = admin.withKey(admin.post("/v1/keys", Map.of("project", "fuzz", "admin", true)).json().path("key").asString());
        fixtures = fixtures(admin, fuzzer.create(Map.of()));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A sandbox with a file, a process reading its input, a web server and its previews, and a key to revoke. */
    private static OpenApiFuzzer.Fixtures fixtures(Api admin, String sandbox) {
        fuzzer.sh(sandbox, "echo note > /root/notes.txt");
        // It ignores TERM, the document's example of a signal, so it takes every fuzzed signal and input to the end.
        String process = fuzzer.post("/v1/sandboxes/" + sandbox + "/processes", Map.of("cmd", List.of("sh", "-c", "trap '' TERM; exec cat")))
                .json().path("id").asString();
        fuzzer.post("/v1/sandboxes/" + sandbox + "/processes", Map.of("cmd", EchoServer.command()));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> fuzzer.get("/v1/sandboxes/" + sandbox + "/ports/" + EchoServer.PORT + "/").status() == 200);
        JsonNode preview = fuzzer.post("/v1/sandboxes/" + sandbox + "/previews", Map.of("port", EchoServer.PORT)).json();
        String sparePreview = fuzzer.post("/v1/sandboxes/" + sandbox + "/previews", Map.of("port", EchoServer.PORT)).json().path("id").asString();
        String spareKey = admin.post("/v1/keys", Map.of("project", "fuzz", "name", "spare")).json().path("id").asString();
        Map<String, String> pathValues = Map.of("id", sandbox, "processId", process, "keyId", spareKey, "previewId", sparePreview,
                "token", preview.path("token").asString(), "port", Integer.toString(EchoServer.PORT));
        Set<String> spared = Set.of("DELETE /v1/sandboxes/{id}", "POST /v1/sandboxes/{id}/standby", "POST /v1/sandboxes/{id}/hibernate", "POST /v1/sandboxes/{id}/reclaim",
                "POST /v1/sandboxes/{id}/snapshots", "POST /v1/sandboxes/{id}/restore", "POST /v1/sandboxes/{id}/fork",
                "PATCH /v1/sandboxes/{id}");
        return new OpenApiFuzzer.Fixtures(pathValues, fuzzer.authorization(), spared, NO_SANDBOX, bystander);
    }

    @Test
    void noRequestGetsA5xxOrAnErrorOutOfShapeAndNothingOfAnotherProjectChanges() {
        OpenApiFuzzer cases = new OpenApiFuzzer(new ApiDescription(fuzzer.get("/v1/openapi.json").json()), fixtures, new Random(SEED));
        RawHttp http = new RawHttp("127.0.0.1", daemon.port());
        FuzzTally tally = new FuzzTally();
        long started = System.nanoTime();
        List<FuzzCase> derived = cases.derived();
        derived.forEach(request -> tally.record(request, http.exchange(request)));
        int random = Math.max(0, REQUESTS - derived.size());
        for (int i = 0; i < random; i++) {
            FuzzCase request = cases.random();
            tally.record(request, http.exchange(request));
        }
        System.out.printf("fuzz: seed %d, %d requests in %.1f s: %d derived from the %d operations of /v1/openapi.json, %d random%n%s",
                SEED, derived.size() + random, (System.nanoTime() - started) / 1e9, derived.size(), cases.operationCount(), random,
                tally.report());

        assertThat(tally.count("body null")).as("requests with the body null").isPositive();
        assertThat(tally.failures()).as("answers that broke a promise (%d in all)", tally.failureCount()).isEmpty();
        assertThat(fuzzer.get("/healthz").status()).isEqualTo(200);
        assertThat(fuzzer.state(fixtures.pathValues().get("id"))).as("the fuzzer's own sandbox, spared").isEqualTo("running");
        JsonNode bystanderAfter = bystanders.get("/v1/sandboxes/" + bystander).json();
        assertThat(bystanderAfter.path("state").asString()).as("not even woken").isEqualTo("standby");
        assertThat(bystanderAfter.path("lastActivityAt")).isEqualTo(bystanderBefore.path("lastActivityAt"));
        assertThat(bystanderAfter.path("labels")).isEqualTo(bystanderBefore.path("labels"));
        assertThat(bystanders.sh(bystander, "cat /root/state")).isEqualTo("untouched\n");
    }
}
