package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Saved snapshots on a real daemon with real sandboxes: a sandbox saved with a process that
 * holds a token only in memory carries on with it; copies made from the snapshot answer with
 * the same token and then go their own ways; a rollback after {@code rm -rf} brings back the
 * files and the process; bad input changes nothing and leaves nothing behind.
 */
class SnapshotIT {

    private static final Map<String, Object> SPEC = Map.of("diskMb", 1024);

    private static Daemon daemon;
    private static Api api;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> snapshots = new ArrayList<>();

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
        snapshots.forEach(id -> api.delete("/v1/snapshots/" + id));
    }

    @Test
    void forksAnswerWithTheSourcesTokenAndThenGoTheirOwnWays() {
        StatefulSandbox source = stateful();
        JsonNode saved = snapshot(source.id(), "warm");
        assertThat(saved.path("name").asString()).isEqualTo("warm");
        assertThat(saved.path("sandboxId").asString()).isEqualTo(source.id());
        assertThat(saved.path("sizeBytes").asLong()).isPositive();
        source.assertIntact(api, "after its snapshot, in the sandbox that carries on");

        Api.Response forked = api.post("/v1/sandboxes/" + source.id() + "/fork", Map.of("count", 2));
        assertThat(forked.status()).as(forked.body()).isEqualTo(201);
        snapshots.add(forked.json().path("snapshot").path("id").asString());
        List<String> copies = new ArrayList<>();
        forked.json().path("sandboxes").forEach(copy -> copies.add(copy.path("id").asString()));
        copies.add(createFrom(saved.path("id").asString()));
        sandboxes.addAll(copies);
        assertThat(copies).hasSize(3).doesNotHaveDuplicates().doesNotContain(source.id());

        Set<String> addresses = new HashSet<>();
        addresses.add(api.get("/v1/sandboxes/" + source.id()).json().path("address").asString());
        for (String copy : copies) {
            source.copyIn(copy).assertIntact(api, "in fork " + copy);
            addresses.add(api.get("/v1/sandboxes/" + copy).json().path("address").asString());
            api.sh(copy, "echo " + copy + " > /root/mine");
            assertThat(api.sh(copy, "hostname").strip()).as("a copy's host name is its own id").isEqualTo(copy);
        }
        assertThat(api.sh(source.id(), "hostname").strip()).isEqualTo(source.id());
        assertThat(addresses).as("each copy has an address of its own").hasSize(4);
        Set<String> randomness = new HashSet<>();
        for (String copy : copies) {
            assertThat(api.sh(copy, "cat /root/mine").strip()).as("each copy's files are its own").isEqualTo(copy);
            randomness.add(api.sh(copy, "head -c 16 /dev/urandom | od -An -tx1").strip());
        }
        assertThat(randomness).as("/dev/urandom differs between copies").hasSize(3);
        assertThat(api.sh(source.id(), "cat /root/mine 2>/dev/null || echo none").strip()).isEqualTo("none");
        source.assertIntact(api, "after its copies changed theirs");
    }

    @Test
    void aRollbackAfterRmRfBringsBackTheFilesAndTheProcess() {
        StatefulSandbox sandbox = stateful();
        api.sh(sandbox.id(), "mkdir -p /root/project/src && echo 'print(42)' > /root/project/src/main.py");
        String snapshot = snapshot(sandbox.id(), null).path("id").asString();

        api.sh(sandbox.id(), "rm -rf /root/project /root/note; pkill -f 'keep[e]r.py'; true");
        assertThat(api.sh(sandbox.id(), "ls /root/project 2>&1; pgrep -f 'keep[e]r.py' || echo gone")).contains("No such file").contains("gone");

        Api.Response restored = api.post("/v1/sandboxes/" + sandbox.id() + "/restore", Map.of("snapshot", snapshot));
        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(restored.json().path("state").asString()).isEqualTo("running");
        sandbox.assertIntact(api, "after the rollback");
        assertThat(api.sh(sandbox.id(), "cat /root/project/src/main.py")).isEqualTo("print(42)\n");

        assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").status()).isEqualTo(200);
        sandbox.assertIntact(api, "after a hibernation that followed the rollback");
        assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/restore", Map.of("snapshot", snapshot)).status())
                .as("a rollback from hibernation").isEqualTo(200);
        sandbox.assertIntact(api, "after a rollback from hibernation");
        assertThat(api.get("/v1/sandboxes/" + sandbox.id() + "/snapshots").json().path("snapshots")).hasSize(1);
    }

    @Test
    void aHibernatedSandboxIsSavedWithoutWakingIt() {
        StatefulSandbox sandbox = stateful();
        assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").status()).isEqualTo(200);
        // The ledger is written in the background: the hibernation's line first.
        await().atMost(Duration.ofSeconds(10)).until(() -> intervals(sandbox.id()).getLast().startsWith("hibernated"));
        List<String> timelineBefore = intervals(sandbox.id());

        String snapshot = snapshot(sandbox.id(), "asleep").path("id").asString();
        assertThat(api.state(sandbox.id())).as("still asleep").isEqualTo("hibernated");
        assertThat(intervals(sandbox.id())).as("never woken, not even for a moment").isEqualTo(timelineBefore);

        String copy = createFrom(snapshot);
        sandboxes.add(copy);
        sandbox.copyIn(copy).assertIntact(api, "in a copy of a snapshot taken while it slept");
        sandbox.assertIntact(api, "after it is woken");
    }

    @Test
    void snapshotsBelongToTheirProjectAndOutliveTheirSandbox() {
        String sandbox = api.create(SPEC);
        sandboxes.add(sandbox);
        String snapshot = snapshot(sandbox, "kept").path("id").asString();
        assertThat(ids(api.get("/v1/snapshots").json())).contains(snapshot);
        assertThat(ids(api.get("/v1/sandboxes/" + sandbox + "/snapshots").json())).containsExactly(snapshot);

        Api other = otherProject();
        assertThat(other.get("/v1/snapshots/" + snapshot).status()).isEqualTo(404);
        assertThat(ids(other.get("/v1/snapshots").json())).doesNotContain(snapshot);
        assertError(other.post("/v1/sandboxes", Map.of("snapshot", snapshot)), 404, "snapshot_not_found");
        assertThat(other.delete("/v1/snapshots/" + snapshot).status()).isEqualTo(404);

        assertThat(api.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);
        assertThat(api.get("/v1/snapshots/" + snapshot).json().path("sandboxId").asString()).isEqualTo(sandbox);
        String copy = createFrom(snapshot);
        sandboxes.add(copy);
        assertThat(api.sh(copy, "echo alive")).isEqualTo("alive\n");

        assertThat(storageGbSeconds(sandbox)).as("the snapshot is billed as storage, with the sandbox it was taken of").isPositive();

        assertThat(api.delete("/v1/snapshots/" + snapshot).status()).isEqualTo(204);
        assertThat(api.get("/v1/snapshots/" + snapshot).status()).isEqualTo(404);
        assertThat(api.sh(copy, "echo still alive")).as("a copy outlives its snapshot").isEqualTo("still alive\n");
        assertThat(snapshotContent(snapshot)).as("the deleted snapshot's content").isEmpty();

        List<String> told = new SseClient(api).read("/v1/events", "1", events -> events.stream()
                        .anyMatch(event -> event.data().contains("\"deleted\"") && event.data().contains(snapshot))).stream()
                .filter(event -> event.name().equals("snapshot") && event.data().contains(snapshot))
                .map(event -> new Api.Response(200, event.data()).json())
                .map(event -> event.path("action").asString() + " " + event.path("sandbox").asString())
                .toList();
        assertThat(told).as("the feed tells what was done with the snapshot").containsExactly("taken " + sandbox, "copied " + copy,
                "deleted " + sandbox);
    }

    @Test
    void badInputIsRefusedAndLeavesNothingBehind() throws IOException {
        String sandbox = api.create(SPEC);
        sandboxes.add(sandbox);
        String other = api.create(SPEC);
        sandboxes.add(other);
        String snapshot = snapshot(sandbox, null).path("id").asString();
        Set<String> before = liveIds();

        assertError(api.post("/v1/sandboxes/" + sandbox + "/restore", Map.of("snapshot", "snnosuchsnapshot")), 404, "snapshot_not_found");
        assertError(api.post("/v1/sandboxes", Map.of("snapshot", "snnosuchsnapshot")), 404, "snapshot_not_found");
        assertError(api.post("/v1/sandboxes/" + other + "/restore", Map.of("snapshot", snapshot)), 400, "invalid_input");
        assertError(api.post("/v1/sandboxes/" + sandbox + "/restore", "{}"), 400, "invalid_input");
        assertError(api.post("/v1/sandboxes", Map.of("snapshot", snapshot, "memoryMb", 512)), 400, "invalid_input");
        for (Object count : List.of(0, 21, -1, "three", 2.5)) {
            assertError(api.post("/v1/sandboxes/" + sandbox + "/fork", Map.of("count", count)), 400, "invalid_input");
        }
        assertError(api.post("/v1/sandboxes/" + sandbox + "/snapshots", Map.of("name", "x".repeat(101))), 400, "invalid_input");
        assertError(api.post("/v1/sandboxes/" + sandbox + "/snapshots", Map.of("name", 7, "extra", true)), 400, "invalid_input");
        assertError(api.post("/v1/sandboxes/sbzzzzzzzzzzzzzz/fork", Map.of("count", 2)), 404, "sandbox_not_found");

        damage(snapshot);
        assertError(api.post("/v1/sandboxes/" + sandbox + "/restore", Map.of("snapshot", snapshot)), 409, "snapshot_corrupt");
        assertError(api.post("/v1/sandboxes", Map.of("snapshot", snapshot)), 409, "snapshot_corrupt");
        assertThat(api.sh(sandbox, "echo untouched")).isEqualTo("untouched\n");
        assertThat(liveIds()).as("nothing half-made is left").isEqualTo(before);
        assertThat(ids(api.get("/v1/snapshots").json())).containsExactly(snapshot);
    }

    private StatefulSandbox stateful() {
        StatefulSandbox sandbox = StatefulSandbox.create(api, SPEC);
        sandboxes.add(sandbox.id());
        return sandbox;
    }

    private JsonNode snapshot(String sandbox, String name) {
        Api.Response saved = api.post("/v1/sandboxes/" + sandbox + "/snapshots", name == null ? Map.of() : Map.of("name", name));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        snapshots.add(saved.json().path("id").asString());
        return saved.json();
    }

    private String createFrom(String snapshot) {
        Api.Response created = api.post("/v1/sandboxes", Map.of("snapshot", snapshot));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private static Api otherProject() {
        Api.Response issued = api.post("/v1/keys", Map.of("project", "snapshot-other", "name", "other"));
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        return api.withKey(issued.json().path("key").asString());
    }

    private static void assertError(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("error").path("code").asString()).as(response.body()).isEqualTo(code);
    }

    /** The sandbox's states over its life, each with when it began. */
    private static List<String> intervals(String sandbox) {
        List<String> intervals = new ArrayList<>();
        api.get("/v1/sandboxes/" + sandbox + "/timeline").json().path("intervals")
                .forEach(interval -> intervals.add(interval.path("state").asString() + " " + interval.path("from").asString()));
        return intervals;
    }

    private static double storageGbSeconds(String sandbox) {
        for (JsonNode row : api.get("/v1/usage?groupBy=sandbox").json().path("rows")) {
            if (row.path("key").asString().equals(sandbox)) {
                return row.path("usage").path("storageGbSeconds").asDouble();
            }
        }
        throw new AssertionError("no usage row for " + sandbox);
    }

    private static Set<String> liveIds() {
        Set<String> ids = new HashSet<>();
        api.get("/v1/sandboxes").json().path("sandboxes").forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    private static List<String> ids(JsonNode listing) {
        List<String> ids = new ArrayList<>();
        listing.path("snapshots").forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    /** The files of a snapshot's content in the daemon's snapshot store, wherever its sandbox's directory is. */
    private static List<Path> snapshotContent(String snapshot) {
        try (Stream<Path> walk = Files.walk(daemon.dataDirectory().resolve("snapshots"))) {
            return walk.filter(path -> path.getFileName().toString().equals(snapshot)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Flips bytes in the checkpoint image of {@code snapshot}, as a failing disk would. */
    private static void damage(String snapshot) throws IOException {
        Path content = snapshotContent(snapshot).getFirst();
        try (Stream<Path> files = Files.list(content)) {
            Path image = files.filter(f -> !f.getFileName().toString().equals("disk.img")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(image);
            bytes[bytes.length / 2] ^= (byte) 0xff;
            Files.write(image, bytes);
        }
    }
}
