package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kills the daemon with -9 at random moments while clients hibernate, wake, freeze and run
 * commands in sandboxes holding state, and while the idle timers put them to sleep on their
 * own. After every kill a new daemon must bring each sandbox back with its keeper's pid and
 * in-memory token and its file, count every moment of each once in the ledger, and hold nothing
 * on the host that is not a live sandbox's.
 *
 * <p>CI runs {@value #CI_KILLS} kills. The longer, documented run:
 * {@code ./perpetua test -pl perpetua-server -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=RandomKillIT -Dperpetua.randomKills=100} (a seed: {@code -Dperpetua.randomKills.seed=…}).
 */
class RandomKillIT {

    private static final int CI_KILLS = 8;
    private static final int SANDBOXES = 3;
    private static final int CLIENTS = 3;

    private Daemon daemon;

    @AfterEach
    void removeEverything() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void everySandboxComesBackWithItsMemoryAndFilesAfterEveryKill() throws InterruptedException {
        int kills = Integer.getInteger("perpetua.randomKills", CI_KILLS);
        long seed = Long.getLong("perpetua.randomKills.seed", System.nanoTime());
        Random random = new Random(seed);
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "2s", "--hibernate-after", "4s",
                "--tick-interval", "100ms");
        Api api = daemon.api();
        List<StatefulSandbox> sandboxes = new ArrayList<>();
        for (int i = 0; i < SANDBOXES; i++) {
            sandboxes.add(StatefulSandbox.create(api, Map.of()));
        }
        AtomicInteger operations = new AtomicInteger();
        for (int kill = 1; kill <= kills; kill++) {
            Workload workload = new Workload(api, sandboxes, new Random(random.nextLong()), operations);
            workload.start();
            Thread.sleep(Duration.ofMillis(300 + random.nextInt(3500)));
            daemon.kill9();
            workload.stop();
            daemon.restart();
            for (StatefulSandbox sandbox : sandboxes) {
                assertThat(api.state(sandbox.id())).as("kill %d (seed %d)", kill, seed).isNotEqualTo("failed");
                sandbox.assertIntact(api, "after kill " + kill + " (seed " + seed + ")");
                LedgerCheck.assertCountedOnce(api, sandbox.id());
            }
            assertNothingUnaccountedFor(api);
        }
        System.out.printf("RandomKillIT: %d kills survived (seed %d), %d operations asked for, %d sandboxes, 0 lost%n",
                kills, seed, operations.get(), SANDBOXES);
        sandboxes.forEach(sandbox -> assertThat(api.delete("/v1/sandboxes/" + sandbox.id()).status()).isEqualTo(204));
        daemon.terminate();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(HostFootprint.of(daemon).isEmpty()).as("left on the host: %s", HostFootprint.of(daemon)).isTrue());
    }

    private void assertNothingUnaccountedFor(Api api) {
        Set<String> live = new HashSet<>();
        api.get("/v1/sandboxes").json().path("sandboxes").forEach(sandbox -> live.add(sandbox.path("id").asString()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HostFootprint footprint = HostFootprint.of(daemon);
            assertThat(live).as("what the host holds: " + footprint).containsAll(footprint.sandboxes());
        });
    }

    /** Clients asking for random operations on random sandboxes until stopped; what fails (the daemon died) is ignored. */
    private static final class Workload {
        private final Api api;
        private final List<StatefulSandbox> sandboxes;
        private final Random random;
        private final AtomicInteger operations;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<Thread> clients = new ArrayList<>();

        Workload(Api api, List<StatefulSandbox> sandboxes, Random random, AtomicInteger operations) {
            this.api = api;
            this.sandboxes = sandboxes;
            this.random = random;
            this.operations = operations;
        }

        void start() {
            for (int i = 0; i < CLIENTS; i++) {
                long clientSeed = random.nextLong();
                clients.add(Thread.ofVirtual().name("random-kill-client-" + i).start(() -> run(new Random(clientSeed))));
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread client : clients) {
                client.join(Duration.ofMinutes(3));
            }
        }

        private void run(Random dice) {
            while (!stopped.get() && !Thread.currentThread().isInterrupted()) {
                String id = sandboxes.get(dice.nextInt(sandboxes.size())).id();
                try {
                    switch (dice.nextInt(4)) {
                        case 0 -> api.post("/v1/sandboxes/" + id + "/hibernate", "");
                        case 1 -> api.post("/v1/sandboxes/" + id + "/standby", "");
                        case 2 -> api.post("/v1/sandboxes/" + id + "/resume", "");
                        default -> api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "echo $$ >> /root/log")));
                    }
                    operations.incrementAndGet();
                } catch (RuntimeException e) {
                    // The daemon was killed under this request.
                }
                LockSupport.parkNanos(Duration.ofMillis(dice.nextInt(400)).toNanos());
            }
        }
    }
}
