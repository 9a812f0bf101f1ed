package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The reclaimed tier on a real daemon with a swap file: a sandbox in standby past
 * {@code --reclaim-after} gives its memory back to the host (its cgroup holds next to nothing),
 * stays frozen with every process, and wakes by thawing with every page it had, across a
 * restart of the daemon too; metered and measured as a tier of its own.
 */
class ReclaimIT {

    /** Fills 300 MB with random bytes, notes a checksum of them, and writes it again on SIGUSR1 after reading every page. */
    private static final String HOG = """
            import os, signal, time, zlib
            block = bytearray(os.urandom(300 << 20))
            def check(signum=None, frame=None):
                with open('/root/hog.tmp', 'w') as f:
                    f.write(str(zlib.crc32(block)))
                os.rename('/root/hog.tmp', '/root/hog' if signum is None else '/root/hog.again')
            signal.signal(signal.SIGUSR1, check)
            check()
            while True:
                time.sleep(3600)
            """;
    private static final long MIB = 1024 * 1024;

    private static Daemon daemon;
    private static Api api;
    private final List<String> sandboxes = new ArrayList<>();

    @BeforeAll
    static void start() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "2s", "--reclaim-after", "2s",
                "--hibernate-after", "1h", "--tick-interval", "100ms", "--swap-size", "2g");
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
    void anIdleSandboxGivesItsMemoryBackAndWakesWithEveryPage() {
        StatefulSandbox keeper = StatefulSandbox.create(api, Map.of());
        String id = keeper.id();
        sandboxes.add(id);
        String checksum = startHog(id);
        long before = residentBytes(id);
        assertThat(before).as("the hog's memory is in RAM").isGreaterThan(300 * MIB);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> api.state(id).equals("reclaimed"));
        long after = residentBytes(id);
        assertThat(after).as("reclaimed: %d MiB left of %d", after / MIB, before / MIB).isLessThan(48 * MIB);

        keeper.assertIntact(api, "after waking from the reclaimed tier");
        assertThat(api.state(id)).isEqualTo("running");
        assertThat(hogChecksumAgain(id)).as("every page of the 300 MB came back as it was").isEqualTo(checksum);

        JsonNode usage = api.get("/v1/usage?groupBy=sandbox").json().path("rows");
        double reclaimedSeconds = 0;
        for (JsonNode row : usage) {
            if (row.path("key").asString().equals(id)) {
                reclaimedSeconds = row.path("usage").path("reclaimedSeconds").asDouble();
            }
        }
        assertThat(reclaimedSeconds).as("metered as a tier of its own").isPositive();
        assertThat(api.get("/metrics").body()).contains("perpetua_resume_seconds_count{tier=\"reclaimed\"}");
    }

    @Test
    void aReclaimAskedForSurvivesARestartOfTheDaemon() {
        Api.Response created = api.post("/v1/sandboxes", Map.of("idleTimeoutSeconds", 3600));
        String id = created.json().path("id").asString();
        sandboxes.add(id);
        StatefulSandbox keeper = StatefulSandbox.in(api, id);
        String checksum = startHog(id);

        Api.Response reclaimed = api.post("/v1/sandboxes/" + id + "/reclaim", "");
        assertThat(reclaimed.status()).as(reclaimed.body()).isEqualTo(200);
        assertThat(reclaimed.json().path("state").asString()).isEqualTo("reclaimed");
        assertThat(residentBytes(id)).isLessThan(48 * MIB);

        daemon.restart();
        assertThat(api.state(id)).as("adopted as it was").isEqualTo("reclaimed");
        keeper.assertIntact(api, "after a restart and a wake");
        assertThat(hogChecksumAgain(id)).isEqualTo(checksum);
    }

    private String startHog(String id) {
        api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "cat > /root/hog.py"), "stdin", HOG));
        api.sh(id, "nohup python3 /root/hog.py >/dev/null 2>&1 & echo $! > /root/hog.pid");
        await().atMost(Duration.ofSeconds(60)).until(() -> !api.sh(id, "cat /root/hog 2>/dev/null || true").isBlank());
        return api.sh(id, "cat /root/hog");
    }

    private String hogChecksumAgain(String id) {
        api.sh(id, "rm -f /root/hog.again; kill -USR1 $(cat /root/hog.pid)");
        await().atMost(Duration.ofSeconds(60)).until(() -> !api.sh(id, "cat /root/hog.again 2>/dev/null || true").isBlank());
        return api.sh(id, "cat /root/hog.again");
    }

    /** What the sandbox's newest container holds in RAM, from its memory cgroup on the host. */
    private static long residentBytes(String id) {
        Path parent = Path.of("/sys/fs/cgroup/memory", daemon.cgroupParent());
        try (Stream<Path> groups = Files.list(parent)) {
            Path group = groups.filter(dir -> dir.getFileName().toString().startsWith(id + "-")).max(Path::compareTo)
                    .orElseThrow(() -> new AssertionError("no memory cgroup of " + id + " under " + parent));
            return Long.parseLong(Files.readString(group.resolve("memory.usage_in_bytes")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
