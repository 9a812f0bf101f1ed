package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.perpetua.crash.CrashPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Walks every named {@link CrashPoint} with a real daemon and real sandboxes: the daemon is
 * started with the point armed, the operation that passes it is asked for, the daemon halts
 * there (as abruptly as a kill -9), and a new daemon on the same data must find each sandbox
 * exactly as it was before the operation or exactly as after it: its keeper process with the
 * same pid and in-memory token, its file, a ledger that counts every moment once, and nothing
 * on the host that does not belong to a live sandbox.
 */
class CrashPointsIT {

    private static final Duration HALT_LIMIT = Duration.ofMinutes(3);
    private static Daemon daemon;
    private static Api api;

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "1h", "--hibernate-after", "1h",
                "--tick-interval", "100ms");
        api = daemon.api();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Every point, or those named in {@code -Dperpetua.crashPoints=hibernate.sealed,delete.begun}. */
    static Stream<CrashPoint> points() {
        Set<String> chosen = Set.of(System.getProperty("perpetua.crashPoints", "").split(","));
        return Arrays.stream(CrashPoint.values()).filter(point -> chosen.equals(Set.of("")) || chosen.contains(point.id()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("points")
    void nothingIsLostWhenTheDaemonDiesAt(CrashPoint point) {
        Scenario scenario = scenarioFor(point);
        scenario.prepare();
        if (point == CrashPoint.WARM_POOL_STARTED) {
            daemon.relaunch(Map.of(CrashPoint.VARIABLE, point.id(), "PERPETUA_WARM_POOL", "1"));
        } else {
            daemon.restart(Map.of(CrashPoint.VARIABLE, point.id()));
            scenario.trigger();
        }
        assertThat(daemon.awaitExit(HALT_LIMIT)).as("the daemon halted at " + point.id()).isEqualTo(CrashPoint.EXIT_CODE);
        scenario.pause();
        daemon.restart();
        scenario.verify();
        assertNothingUnaccountedFor();
    }

    /**
     * Everything the daemon holds on the host belongs to a sandbox it lists, once the removals it
     * leaves to the background (runsc's slow deletion of a dead container's record) are done.
     */
    private static void assertNothingUnaccountedFor() {
        Set<String> live = liveIds();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HostFootprint footprint = HostFootprint.of(daemon);
            assertThat(live).as("what the host holds: " + footprint).containsAll(footprint.sandboxes());
        });
    }

    private interface Scenario {
        /** Arranges the sandbox the operation works on, with the daemon disarmed. */
        void prepare();

        /** Asks the armed daemon for the operation; the daemon halts somewhere inside. */
        void trigger();

        /** Lets some time pass between the halt and the restart, where a test needs to tell them apart. */
        default void pause() {
        }

        /** Checks, on a new daemon, that nothing was lost. */
        void verify();
    }

    private static Scenario scenarioFor(CrashPoint point) {
        return switch (point.operation()) {
            case "create" -> new Creation();
            case "standby" -> new Standby();
            case "reclaim" -> new Reclaim();
            case "wake" -> new Wake();
            case "hibernate", "snapshot" -> new Hibernation(point);
            case "restore" -> new Restore();
            case "saved-snapshot" -> new SavedSnapshotTaking(point);
            case "rollback" -> new Rollback(point);
            case "fork" -> new ForkFromSnapshot();
            case "template" -> new TemplateBuild();
            case "image" -> new ImageImport();
            case "volume" -> new VolumeChange(point);
            case "mount" -> new DriveMount();
            case "delete" -> new Deletion();
            case "warm-pool" -> new WarmPoolStart();
            case "ledger" -> new LedgerWrite();
            default -> throw new AssertionError("no scenario for crash point " + point.id() + ": add one");
        };
    }

    /** A creation: undone, as if it had never been asked for. */
    private static final class Creation implements Scenario {
        private Set<String> before;

        @Override
        public void prepare() {
            before = liveIds();
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes", "{}");
        }

        @Override
        public void verify() {
            assertThat(liveIds()).as("the creation the daemon died in is undone").isEqualTo(before);
        }
    }

    /** A reclaim: the sandbox sleeps, in standby (its memory out already, as the next reclaim finds it) or reclaimed, with everything it had. */
    private static final class Reclaim implements Scenario {
        private StatefulSandbox sandbox;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/standby", "").status()).isEqualTo(200);
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/reclaim", "");
        }

        @Override
        public void verify() {
            assertThat(api.state(sandbox.id())).as("frozen all along").isIn("standby", "reclaimed");
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during a reclaim");
        }
    }

    /** A standby: the sandbox runs or sleeps, with everything it had. */
    private static final class Standby implements Scenario {
        private StatefulSandbox sandbox;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/standby", "");
        }

        @Override
        public void verify() {
            assertThat(api.state(sandbox.id())).as("frozen before the daemon died: standby").isEqualTo("standby");
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during standby");
        }
    }

    /** A wake-up from standby: the sandbox runs or sleeps, with everything it had. */
    private static final class Wake implements Scenario {
        private StatefulSandbox sandbox;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/standby", "").status()).isEqualTo(200);
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/exec", "{\"cmd\": [\"true\"]}");
        }

        @Override
        public void verify() {
            assertThat(api.state(sandbox.id())).isIn("standby", "running");
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash while it woke");
        }
    }

    /**
     * A hibernation of a sandbox in standby that was hibernated once before: before its
     * checkpoint completed, undone (in standby again, with the previous snapshot); after,
     * finished (hibernated in the new snapshot, the previous one removed). Never both, never neither.
     */
    private static final class Hibernation implements Scenario {
        private final CrashPoint point;
        private StatefulSandbox sandbox;
        private String previousSnapshot;

        Hibernation(CrashPoint point) {
            this.point = point;
        }

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            previousSnapshot = api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").json().path("snapshot").path("id").asString();
            api.sh(sandbox.id(), "true");
            assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/standby", "").status()).isEqualTo(200);
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/hibernate", "");
        }

        @Override
        public void verify() {
            JsonNode after = api.get("/v1/sandboxes/" + sandbox.id()).json();
            String snapshot = after.path("snapshot").path("id").asString();
            if (point == CrashPoint.HIBERNATE_BEGUN) {
                assertThat(after.path("state").asString()).as("nothing was checkpointed: as before").isEqualTo("standby");
                assertThat(snapshot).isEqualTo(previousSnapshot);
            } else {
                assertThat(after.path("state").asString()).as("the checkpoint completed: as after").isEqualTo("hibernated");
                assertThat(snapshot).isNotEqualTo(previousSnapshot);
            }
            assertThat(snapshotsOnDisk(sandbox.id())).as("only the recorded snapshot is kept").containsExactly(snapshot);
            assertThat(draftsOnDisk()).as("no draft is left").isEmpty();
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during hibernation at " + point.id());
        }
    }

    /** A restore from hibernation: hibernated as before, or running as after, with everything it had. */
    private static final class Restore implements Scenario {
        private StatefulSandbox sandbox;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").status()).isEqualTo(200);
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/exec", "{\"cmd\": [\"true\"]}");
        }

        @Override
        public void verify() {
            assertThat(api.state(sandbox.id())).isIn("hibernated", "running");
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during its restore");
        }
    }

    /**
     * A saved snapshot of a running sandbox: undone, the call having never answered. The sandbox
     * runs on with everything it had, or, if the daemon died after its checkpoint and before its
     * restore, hibernates in that checkpoint (its disk, frozen for the copy, thawed again). A
     * hibernated sandbox, saved without waking it, sleeps on as it was.
     */
    private static final class SavedSnapshotTaking implements Scenario {
        private final CrashPoint point;
        private StatefulSandbox sandbox;

        SavedSnapshotTaking(CrashPoint point) {
            this.point = point;
        }

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            if (point == CrashPoint.SAVE_COPIED) {
                assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").status()).isEqualTo(200);
            }
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/snapshots", "{\"name\": \"interrupted\"}");
        }

        @Override
        public void verify() {
            JsonNode after = api.get("/v1/sandboxes/" + sandbox.id()).json();
            String expected = point == CrashPoint.SAVE_COPYING || point == CrashPoint.SAVE_COPIED ? "hibernated" : "running";
            assertThat(after.path("state").asString()).as("after a crash at " + point.id()).isEqualTo(expected);
            assertThat(api.get("/v1/sandboxes/" + sandbox.id() + "/snapshots").json().path("snapshots")).as("the snapshot is undone").isEmpty();
            String hibernation = after.path("snapshot").path("id").asString("");
            assertThat(snapshotsOnDisk(sandbox.id())).as("only a recorded snapshot is kept")
                    .isEqualTo(hibernation.isEmpty() ? List.of() : List.of(hibernation));
            assertThat(draftsOnDisk()).as("no draft is left").isEmpty();
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during a snapshot at " + point.id());
        }
    }

    /**
     * A rollback to a saved snapshot: undone while the sandbox's container still ran, otherwise
     * finished (by the new daemon if need be), never half done; the snapshot is kept.
     */
    private static final class Rollback implements Scenario {
        private final CrashPoint point;
        private StatefulSandbox sandbox;
        private String snapshot;

        Rollback(CrashPoint point) {
            this.point = point;
        }

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            Api.Response saved = api.post("/v1/sandboxes/" + sandbox.id() + "/snapshots", "{}");
            assertThat(saved.status()).as(saved.body()).isEqualTo(201);
            snapshot = saved.json().path("id").asString();
            api.sh(sandbox.id(), "echo later > /root/later");
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/restore", "{\"snapshot\": \"" + snapshot + "\"}");
        }

        @Override
        public void verify() {
            assertThat(api.state(sandbox.id())).isEqualTo("running");
            String later = api.sh(sandbox.id(), "cat /root/later 2>/dev/null || echo rolled back").strip();
            assertThat(later).as("after a crash at " + point.id()).isEqualTo(point == CrashPoint.ROLLBACK_BEGUN ? "later" : "rolled back");
            assertThat(snapshotsOnDisk(sandbox.id())).as("the saved snapshot is kept").containsExactly(snapshot);
            assertThat(api.get("/v1/snapshots/" + snapshot).status()).isEqualTo(200);
            LedgerCheck.assertCountedOnce(api, sandbox.id());
            sandbox.assertIntact(api, "after a crash during a rollback at " + point.id());
        }
    }

    /** A sandbox made from a saved snapshot: undone like any creation; the source and the snapshot are untouched. */
    private static final class ForkFromSnapshot implements Scenario {
        private StatefulSandbox source;
        private String snapshot;
        private Set<String> before;

        @Override
        public void prepare() {
            source = StatefulSandbox.create(api, Map.of());
            Api.Response saved = api.post("/v1/sandboxes/" + source.id() + "/snapshots", "{}");
            assertThat(saved.status()).as(saved.body()).isEqualTo(201);
            snapshot = saved.json().path("id").asString();
            before = liveIds();
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes", "{\"snapshot\": \"" + snapshot + "\"}");
        }

        @Override
        public void verify() {
            assertThat(liveIds()).as("the copy the daemon died making is undone").isEqualTo(before);
            assertThat(api.get("/v1/snapshots/" + snapshot).status()).isEqualTo(200);
            source.assertIntact(api, "after a crash while a copy of it was made");
        }
    }

    /**
     * A template build, which runs in the background: failed at the next start with a reason,
     * and nothing it made is left (its build sandbox, a snapshot not yet recorded as the template).
     */
    private static final class TemplateBuild implements Scenario {
        private Set<String> before;
        private final String name = "crash-" + System.nanoTime();

        @Override
        public void prepare() {
            before = liveIds();
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/templates", "{\"name\": \"" + name + "\", \"setup\": [\"echo ready > /root/made\"]}");
        }

        @Override
        public void verify() {
            JsonNode template = api.get("/v1/templates/" + name).json();
            assertThat(template.path("state").asString()).as(template.toString()).isEqualTo("failed");
            assertThat(template.path("failureReason").asString()).contains("daemon stopped");
            assertThat(liveIds()).as("the build sandbox is gone").isEqualTo(before);
            assertThat(api.get("/v1/snapshots").json().path("snapshots").toString()).as("no snapshot of the build is left")
                    .doesNotContain("template " + name);
            assertThat(api.delete("/v1/templates/" + name).status()).isEqualTo(204);
        }
    }

    /** An OCI image's import: undone, with nothing of it left (no work directory, no root, no template). */
    private static final class ImageImport implements Scenario {
        private final String name = "image-" + System.nanoTime();
        private Path layout;

        @Override
        public void prepare() {
            try {
                Path work = Files.createTempDirectory(daemon.dataDirectory(), "image-crash-");
                layout = work.resolve("layout");
                TemplateImageIT.buildBusyboxImage(layout, work.resolve("bundle"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/templates", "{\"name\": \"" + name + "\", \"image\": \"" + layout + "\"}");
        }

        @Override
        public void verify() {
            assertThat(api.get("/v1/templates/" + name).status()).as("the import the daemon died in is undone").isEqualTo(404);
            assertThat(list(daemon.dataDirectory().resolve("templates").resolve("images"))).as("nothing unpacked is left").isEmpty();
        }
    }

    /** A volume made or deleted: undone or finished, with no disk left that the store does not know. */
    private static final class VolumeChange implements Scenario {
        private final CrashPoint point;
        private final String name = "crash-" + System.nanoTime();

        VolumeChange(CrashPoint point) {
            this.point = point;
        }

        @Override
        public void prepare() {
            if (point == CrashPoint.VOLUME_FORGOTTEN) {
                assertThat(api.post("/v1/volumes", "{\"name\": \"" + name + "\", \"sizeMb\": 64}").status()).isEqualTo(201);
            }
        }

        @Override
        public void trigger() {
            if (point == CrashPoint.VOLUME_FORGOTTEN) {
                sendExpectingHalt("DELETE", "/v1/volumes/" + name, "");
            } else {
                sendExpectingHalt("POST", "/v1/volumes", "{\"name\": \"" + name + "\", \"sizeMb\": 64}");
            }
        }

        @Override
        public void verify() {
            assertThat(api.get("/v1/volumes/" + name).status()).as("the volume is gone, or was never made").isEqualTo(404);
            assertThat(list(daemon.dataDirectory().resolve("volumes"))).as("no disk the store does not know").isEmpty();
            Api.Response again = api.post("/v1/volumes", "{\"name\": \"" + name + "\", \"sizeMb\": 64}");
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(api.delete("/v1/volumes/" + name).status()).isEqualTo(204);
        }
    }

    /** A drive mounted into a running sandbox: forgotten, the sandbox as it was, and mounting it again works. */
    private static final class DriveMount implements Scenario {
        private final String drive = "crash-" + System.nanoTime();
        private String sandbox;

        @Override
        public void prepare() {
            assertThat(api.post("/v1/drives", "{\"name\": \"" + drive + "\"}").status()).isEqualTo(201);
            sandbox = api.create(Map.of());
            api.sh(sandbox, "echo kept > /root/file.txt");
        }

        @Override
        public void trigger() {
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox + "/drives", "{\"drive\": \"" + drive + "\", \"mountPath\": \"/shared\"}");
        }

        @Override
        public void verify() {
            assertThat(api.sh(sandbox, "cat /root/file.txt")).isEqualTo("kept\n");
            assertThat(api.get("/v1/sandboxes/" + sandbox).json().path("mounts").size()).as("the unfinished mount is forgotten").isZero();
            Api.Response mounted = api.post("/v1/sandboxes/" + sandbox + "/drives",
                    "{\"drive\": \"" + drive + "\", \"mountPath\": \"/shared\"}");
            assertThat(mounted.status()).as(mounted.body()).isEqualTo(200);
            assertThat(api.sh(sandbox, "echo works > /shared/f && cat /shared/f")).isEqualTo("works\n");
            assertThat(api.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);
            assertThat(api.delete("/v1/drives/" + drive).status()).isEqualTo(204);
        }
    }

    /** A deletion: finished, with nothing of the sandbox left, billed until it was asked for. */
    private static final class Deletion implements Scenario {
        private StatefulSandbox sandbox;
        private Instant created;
        private Instant asked;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
            created = Instant.parse(api.get("/v1/sandboxes/" + sandbox.id()).json().path("createdAt").asString());
            assertThat(api.post("/v1/sandboxes/" + sandbox.id() + "/hibernate", "").status()).isEqualTo(200);
        }

        @Override
        public void trigger() {
            asked = Instant.now();
            sendExpectingHalt("DELETE", "/v1/sandboxes/" + sandbox.id(), "");
        }

        @Override
        public void pause() {
            sleep(Duration.ofSeconds(3));
        }

        @Override
        public void verify() {
            assertThat(api.get("/v1/sandboxes/" + sandbox.id()).status()).as("the deletion was finished").isEqualTo(404);
            assertThat(HostFootprint.of(daemon).sandboxes()).doesNotContain(sandbox.id());
            assertThat(snapshotsOnDisk(sandbox.id())).isEmpty();
            assertThat(Files.exists(daemon.dataDirectory().resolve("sandboxes").resolve(sandbox.id()))).isFalse();
            JsonNode row = usageOf(sandbox.id());
            double billed = row.path("runningSeconds").asDouble() + row.path("standbySeconds").asDouble()
                    + row.path("hibernatedSeconds").asDouble();
            assertThat(billed).as("billed until the deletion was asked for, not until the restart")
                    .isCloseTo(Duration.between(created, asked).toMillis() / 1000.0, within(1.5));
        }
    }

    /** A warm-pool start: nothing of the pooled sandbox is left for anybody to account for. */
    private static final class WarmPoolStart implements Scenario {
        @Override
        public void prepare() {
        }

        @Override
        public void trigger() {
        }

        @Override
        public void verify() {
            // assertNothingUnaccountedFor, after every point, is the check.
        }
    }

    /** A ledger write: the change is billed from when it happened, not from the restart. */
    private static final class LedgerWrite implements Scenario {
        private StatefulSandbox sandbox;
        private Instant asked;

        @Override
        public void prepare() {
            sandbox = StatefulSandbox.create(api, Map.of());
        }

        @Override
        public void trigger() {
            asked = Instant.now();
            sendExpectingHalt("POST", "/v1/sandboxes/" + sandbox.id() + "/standby", "");
        }

        @Override
        public void pause() {
            sleep(Duration.ofSeconds(3));
        }

        @Override
        public void verify() {
            List<LedgerCheck.Interval> intervals = LedgerCheck.assertCountedOnce(api, sandbox.id());
            LedgerCheck.Interval asleep = intervals.getLast();
            assertThat(asleep.state().wireName()).isEqualTo("standby");
            assertThat(Duration.between(asked, asleep.from()).abs()).as("standby billed from when it began: %s", intervals)
                    .isLessThan(Duration.ofSeconds(2));
            sandbox.assertIntact(api, "after a crash before its ledger line was written");
        }
    }

    /** Sends a request the daemon is expected to die in; its answer, if any, does not matter. */
    private static void sendExpectingHalt(String method, String path, String body) {
        try {
            api.send(method, path, body);
        } catch (RuntimeException e) {
            // The daemon died before it answered: what the test asked for.
        }
    }

    private static JsonNode usageOf(String id) {
        for (JsonNode row : api.get("/v1/usage?groupBy=sandbox").json().path("rows")) {
            if (row.path("key").asString().equals(id)) {
                return row.path("usage");
            }
        }
        throw new AssertionError("no usage row for " + id);
    }

    private static Set<String> liveIds() {
        Set<String> ids = new HashSet<>();
        api.get("/v1/sandboxes").json().path("sandboxes").forEach(sandbox -> ids.add(sandbox.path("id").asString()));
        return ids;
    }

    private static List<String> snapshotsOnDisk(String id) {
        return list(daemon.dataDirectory().resolve("snapshots").resolve(id));
    }

    private static List<String> draftsOnDisk() {
        return list(daemon.dataDirectory().resolve("snapshots").resolve("drafts"));
    }

    private static List<String> list(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
    }
}
