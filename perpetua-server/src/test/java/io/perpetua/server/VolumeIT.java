package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.crash.CrashPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Volumes and drives on a real daemon: a volume outlives its sandboxes and survives standby,
 * hibernation and a restart, with one writer at a time; a drive is written by many sandboxes at
 * once, seen by the others at once, and can be mounted into a sandbox that runs; bad input is
 * refused with nothing made.
 */
class VolumeIT {

    private static Daemon daemon;
    private static Api api;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "1h");
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
        volumes.forEach(path -> api.delete(path));
    }

    @Test
    void aVolumeOutlivesItsSandboxesWithOneWriterAtATime() {
        String volume = make("volumes", Map.of("name", "project-data", "sizeMb", 128));
        String writer = create(Map.of("volumes", List.of(Map.of("volume", "project-data", "mountPath", "/data"))));
        assertThat(api.sh(writer, "echo precious > /data/result.txt && cat /data/result.txt")).isEqualTo("precious\n");
        JsonNode shown = api.get("/v1/sandboxes/" + writer).json();
        assertThat(shown.path("mounts").get(0).path("name").asString()).isEqualTo("project-data");
        assertThat(shown.path("mounts").get(0).path("mountPath").asString()).isEqualTo("/data");

        Api.Response second = api.post("/v1/sandboxes", Map.of("volumes", List.of(Map.of("volume", volume, "mountPath", "/data"))));
        assertThat(second.status()).as(second.body()).isEqualTo(409);
        assertThat(second.json().path("error").path("code").asString()).isEqualTo("volume_in_use");
        assertThat(second.json().path("error").path("message").asString()).contains(writer);
        String reader = create(Map.of("volumes", List.of(Map.of("volume", volume, "mountPath", "/mnt/results", "readOnly", true))));
        assertThat(api.sh(reader, "cat /mnt/results/result.txt")).isEqualTo("precious\n");
        assertThat(api.exec(reader, "sh", "-c", "echo x > /mnt/results/other").path("exitCode").asInt()).isNotZero();

        Api.Response refused = api.delete("/v1/volumes/" + volume);
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("volume_in_use");

        assertThat(api.post("/v1/sandboxes/" + writer + "/standby", "").status()).isEqualTo(200);
        assertThat(api.sh(writer, "echo standby >> /data/result.txt && cat /data/result.txt")).isEqualTo("precious\nstandby\n");
        assertThat(api.post("/v1/sandboxes/" + writer + "/hibernate", "").status()).isEqualTo(200);
        assertThat(api.sh(writer, "echo hibernated >> /data/result.txt && cat /data/result.txt"))
                .isEqualTo("precious\nstandby\nhibernated\n");
        daemon.restart();
        assertThat(api.sh(writer, "echo restarted >> /data/result.txt && cat /data/result.txt"))
                .isEqualTo("precious\nstandby\nhibernated\nrestarted\n");

        delete(writer);
        delete(reader);
        JsonNode free = api.get("/v1/volumes/" + volume).json();
        assertThat(free.path("mountedIn").size()).isZero();
        assertThat(free.path("usedBytes").asLong()).isPositive();
        String later = create(Map.of("volumes", List.of(Map.of("volume", volume, "mountPath", "/workspace/data"))));
        assertThat(api.sh(later, "cat /workspace/data/result.txt")).as("the data outlived every sandbox that used it")
                .isEqualTo("precious\nstandby\nhibernated\nrestarted\n");
        delete(later);
        JsonNode billed = api.get("/v1/usage").json().path("volumes");
        assertThat(billed.findValuesAsString("id")).as("billed by its size while it is kept: " + billed).contains(volume);
        for (JsonNode row : billed) {
            if (row.path("id").asString().equals(volume)) {
                assertThat(row.path("storageGbSeconds").asDouble()).isPositive();
                assertThat(row.path("sizeMb").asInt()).isEqualTo(128);
            }
        }
        assertThat(api.delete("/v1/volumes/" + volume).status()).isEqualTo(204);
        volumes.clear();
        assertThat(api.get("/v1/volumes/" + volume).status()).isEqualTo(404);
    }

    @Test
    void aDriveIsWrittenByManySandboxesAtOnceAndMountsIntoARunningOne() {
        String drive = make("drives", Map.of("name", "team-share"));
        Map<String, Object> mounted = Map.of("drives", List.of(Map.of("drive", "team-share", "mountPath", "/shared")));
        String a = create(mounted);
        String b = create(mounted);
        String c = create(Map.of());

        api.sh(a, "echo from-a > /shared/note.txt");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.sh(b, "cat /shared/note.txt 2>/dev/null || true").equals("from-a\n"));

        Api.Response attached = api.post("/v1/sandboxes/" + c + "/drives", Map.of("drive", drive, "mountPath", "/mnt/team"));
        assertThat(attached.status()).as(attached.body()).isEqualTo(200);
        assertThat(attached.json().path("mounts").get(0).path("kind").asString()).isEqualTo("drive");
        assertThat(api.sh(c, "cat /mnt/team/note.txt")).as("mounted into a running sandbox").isEqualTo("from-a\n");
        Api.Response twice = api.post("/v1/sandboxes/" + c + "/drives", Map.of("drive", drive, "mountPath", "/mnt/again"));
        assertThat(twice.status()).as(twice.body()).isEqualTo(400);

        // Three writers appending at once: each line under the drive's lock (mkdir is atomic across sandboxes).
        String append = "i=0; while [ $i -lt 100 ]; do i=$((i+1)); until mkdir %s/.lock 2>/dev/null; do :; done; "
                + "echo \"$(hostname) $i\" >> %s/log.txt; rmdir %s/.lock; done";
        List<CompletableFuture<String>> writers = List.of(
                CompletableFuture.supplyAsync(() -> api.sh(a, append.formatted("/shared", "/shared", "/shared"))),
                CompletableFuture.supplyAsync(() -> api.sh(b, append.formatted("/shared", "/shared", "/shared"))),
                CompletableFuture.supplyAsync(() -> api.sh(c, append.formatted("/mnt/team", "/mnt/team", "/mnt/team"))));
        writers.forEach(CompletableFuture::join);
        String log = api.sh(a, "cat /shared/log.txt");
        assertThat(log.lines().count()).as("no line lost").isEqualTo(300);
        assertThat(log.lines().distinct().count()).as("none mangled").isEqualTo(300);

        api.sh(a, "echo held > /shared/held.txt");
        Api.Response holder = api.post("/v1/sandboxes/" + c + "/processes",
                Map.of("cmd", List.of("sh", "-c", "exec 3</mnt/team/held.txt; exec sleep 1000")));
        assertThat(holder.status()).as(holder.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(5)).until(() -> api.sh(c, "ls -l /proc/*/fd/ 2>/dev/null | grep -c held.txt || true").strip()
                .equals("1"));
        api.sh(a, "rm /shared/held.txt");
        Api.Response unsafe = api.post("/v1/sandboxes/" + c + "/hibernate", "");
        assertThat(unsafe.status()).as(unsafe.body()).isEqualTo(409);
        assertThat(unsafe.json().path("error").path("code").asString()).isEqualTo("sandbox_holds_deleted_file");
        assertThat(api.sh(c, "cat /mnt/team/note.txt")).as("refused, and still running").isEqualTo("from-a\n");
        String process = "/v1/sandboxes/" + c + "/processes/" + holder.json().path("id").asString();
        assertThat(api.post(process + "/signal", Map.of("signal", "KILL")).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> !api.get(process).json().path("state").asString().equals("running"));

        assertThat(api.post("/v1/sandboxes/" + c + "/hibernate", "").status()).isEqualTo(200);
        api.sh(a, "echo while-c-slept >> /shared/note.txt");
        assertThat(api.sh(c, "cat /mnt/team/note.txt")).as("restored with the drive").isEqualTo("from-a\nwhile-c-slept\n");
    }

    @Test
    void aCreationTheDaemonDiesInLeavesTheVolumeFreeForTheNextWriter() {
        String volume = make("volumes", Map.of("name", "survivor", "sizeMb", 64));
        Set<String> before = liveSandboxes();
        daemon.restart(Map.of(CrashPoint.VARIABLE, CrashPoint.CREATE_STARTED.id()));
        try {
            api.post("/v1/sandboxes", Map.of("volumes", List.of(Map.of("volume", volume, "mountPath", "/data"))));
        } catch (RuntimeException e) {
            // The daemon died before it answered: what the test asked for.
        }
        assertThat(daemon.awaitExit(Duration.ofMinutes(2))).isEqualTo(CrashPoint.EXIT_CODE);
        daemon.restart();
        assertThat(liveSandboxes()).as("the creation is undone").isEqualTo(before);
        assertThat(api.get("/v1/volumes/" + volume).json().path("mountedIn").size()).isZero();
        String writer = create(Map.of("volumes", List.of(Map.of("volume", volume, "mountPath", "/data"))));
        assertThat(api.sh(writer, "echo mine > /data/f && cat /data/f")).isEqualTo("mine\n");
    }

    @Test
    void copiesOfASandboxWithVolumesAreRefusedButACopyMayMountOne() {
        String volume = make("volumes", Map.of("name", "copies", "sizeMb", 64));
        String plain = create(Map.of());
        api.sh(plain, "echo from-snapshot > /root/origin.txt");
        Api.Response snapshot = api.post("/v1/sandboxes/" + plain + "/snapshots", Map.of());
        assertThat(snapshot.status()).as(snapshot.body()).isEqualTo(201);
        String copy = create(Map.of("snapshot", snapshot.json().path("id").asString(),
                "volumes", List.of(Map.of("volume", volume, "mountPath", "/data"))));
        assertThat(api.sh(copy, "cat /root/origin.txt && echo on-volume > /data/v && cat /data/v"))
                .as("a copy restored from a snapshot, with a volume mounted after").isEqualTo("from-snapshot\non-volume\n");

        Api.Response fork = api.post("/v1/sandboxes/" + copy + "/fork", Map.of("count", 1));
        assertThat(fork.status()).as(fork.body()).isEqualTo(409);
        assertThat(fork.json().path("error").path("code").asString()).isEqualTo("sandbox_has_mounts");
        api.delete("/v1/snapshots/" + snapshot.json().path("id").asString());
    }

    private Set<String> liveSandboxes() {
        Set<String> ids = new HashSet<>();
        api.get("/v1/sandboxes").json().path("sandboxes").forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        make("volumes", Map.of("name", "good", "sizeMb", 64));
        int before = api.get("/v1/sandboxes").json().path("sandboxes").size();
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "missing", "mountPath", "/data"))), "volumes[0].volume");
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "good", "mountPath", "/proc"))), "volumes[0].mountPath");
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "good", "mountPath", "/"))), "volumes[0].mountPath");
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "good", "mountPath", "/data/../etc"))), "volumes[0].mountPath");
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "good", "mountPath", "relative"))), "volumes[0].mountPath");
        make("drives", Map.of("name", "other"));
        assertRefused(Map.of("volumes", List.of(Map.of("volume", "good", "mountPath", "/data")),
                "drives", List.of(Map.of("drive", "other", "mountPath", "/data"))), "mountPath");
        assertThat(api.get("/v1/sandboxes").json().path("sandboxes").size()).as("no sandbox made").isEqualTo(before);

        for (String name : List.of("../escape", "a..b", "with/slash", "", "UPPER")) {
            Api.Response made = api.post("/v1/drives", Map.of("name", name));
            assertThat(made.status()).as(name + ": " + made.body()).isEqualTo(400);
            assertThat(made.json().path("error").path("field").asString()).isEqualTo("name");
        }
        assertThat(api.post("/v1/volumes", Map.of("name", "nosize")).status()).isEqualTo(400);
        assertThat(api.post("/v1/volumes", Map.of("name", "tiny", "sizeMb", 1)).status()).isEqualTo(400);
        assertThat(api.post("/v1/volumes", Map.of("name", "good", "sizeMb", 64)).status()).as("the name is taken").isEqualTo(409);
        assertThat(api.get("/v1/volumes").json().path("volumes").size()).isEqualTo(1);
        assertThat(api.get("/v1/drives").json().path("drives").size()).isEqualTo(1);
        assertThat(api.withKey(otherProjectKey()).get("/v1/volumes/good").status()).as("another project's").isEqualTo(404);
    }

    private String otherProjectKey() {
        Api.Response key = api.post("/v1/keys", Map.of("project", "volume-other", "name", "other"));
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return key.json().path("key").asString();
    }

    private void assertRefused(Map<String, Object> body, String field) {
        Api.Response refused = api.post("/v1/sandboxes", body);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().path("error").path("field").asString()).isEqualTo(field);
    }

    private String make(String collection, Map<String, Object> body) {
        Api.Response made = api.post("/v1/" + collection, body);
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String id = made.json().path("id").asString();
        volumes.add("/v1/" + collection + "/" + id);
        return id;
    }

    private String create(Map<String, Object> body) {
        Api.Response created = api.post("/v1/sandboxes", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        sandboxes.add(id);
        return id;
    }

    private void delete(String sandbox) {
        assertThat(api.delete("/v1/sandboxes/" + sandbox).status()).isEqualTo(204);
        sandboxes.remove(sandbox);
    }
}
