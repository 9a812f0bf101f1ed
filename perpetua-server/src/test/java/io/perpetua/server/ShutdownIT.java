package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.sandbox.Sandbox;
import io.perpetua.store.sqlite.SqliteSandboxStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A graceful stop (SIGTERM) at random moments, while the warm pool starts sandboxes, clients
 * create sandboxes and a hibernated one is restored and hibernated again: each time, whatever
 * is left on the host (namespaces, mounts, loop devices, cgroups, runsc processes) belongs to a
 * sandbox the store knows as live, for the next start to adopt; the sandbox holding state comes
 * back whole; and once every sandbox is deleted and the daemon stopped, nothing is left at all.
 */
class ShutdownIT {

    private static final int STOPS = Integer.getInteger("perpetua.shutdowns", 5);

    private Daemon daemon;

    @AfterEach
    void removeEverything() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void aStopAtAnyMomentLeavesOnlyWhatTheNextStartAdopts() throws InterruptedException {
        long seed = Long.getLong("perpetua.shutdowns.seed", System.nanoTime());
        Random random = new Random(seed);
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "2"), "--idle-timeout", "1h", "--hibernate-after", "1h");
        Api api = daemon.api();
        StatefulSandbox kept = StatefulSandbox.create(api, Map.of());
        for (int stop = 1; stop <= STOPS; stop++) {
            AtomicBoolean stopping = new AtomicBoolean();
            List<Thread> clients = List.of(
                    Thread.ofVirtual().start(() -> createUntil(api, stopping)),
                    Thread.ofVirtual().start(() -> hibernateAndWakeUntil(api, kept.id(), stopping)));
            Thread.sleep(Duration.ofMillis(random.nextInt(2500)));
            daemon.terminate();
            stopping.set(true);
            for (Thread client : clients) {
                client.join(Duration.ofMinutes(3));
            }

            Set<String> stored = storedLive();
            HostFootprint left = HostFootprint.of(daemon);
            assertThat(stored).as("stop %d (seed %d): what the host holds after a graceful stop: %s", stop, seed, left)
                    .containsAll(left.sandboxes());

            daemon.restart();
            kept.assertIntact(api, "after graceful stop " + stop);
        }
        api.get("/v1/sandboxes").json().path("sandboxes").forEach(sandbox ->
                assertThat(api.delete("/v1/sandboxes/" + sandbox.path("id").asString()).status()).isEqualTo(204));
        daemon.terminate();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(HostFootprint.of(daemon).isEmpty()).as("left on the host: %s", HostFootprint.of(daemon)).isTrue());
    }

    /** The sandboxes the stopped daemon's store has as live (creating ones included: the next start undoes them). */
    private Set<String> storedLive() {
        try (SqliteSandboxStore store = SqliteSandboxStore.open(daemon.dataDirectory().resolve("perpetua.db"))) {
            return store.listLive().stream().map(Sandbox::id).map(Object::toString).collect(Collectors.toSet());
        }
    }

    private static void createUntil(Api api, AtomicBoolean stopping) {
        while (!stopping.get()) {
            try {
                api.create(Map.of());
            } catch (RuntimeException | AssertionError e) {
                // The daemon is stopping.
            }
        }
    }

    private static void hibernateAndWakeUntil(Api api, String id, AtomicBoolean stopping) {
        while (!stopping.get()) {
            try {
                api.post("/v1/sandboxes/" + id + "/hibernate", "");
                api.post("/v1/sandboxes/" + id + "/resume", "");
            } catch (RuntimeException e) {
                // The daemon is stopping.
            }
        }
    }
}
