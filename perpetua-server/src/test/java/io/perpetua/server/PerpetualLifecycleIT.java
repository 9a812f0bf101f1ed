package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The product's promise end to end, on real gVisor sandboxes and a real daemon process: a
 * background process with a secret held only in memory keeps its pid and its secret through
 * standby, hibernation and two hard kills of the daemon.
 */
class PerpetualLifecycleIT {

    /** Keeps a random token only in memory, bumps a counter file five times a second, and tells its token on SIGUSR1. */
    private static final String KEEPER = """
            import os, secrets, signal, time
            token = secrets.token_hex(16)
            def answer(signum, frame):
                with open('/root/answer.tmp', 'w') as f:
                    f.write(f'{os.getpid()} {token}')
                os.rename('/root/answer.tmp', '/root/answer')
            signal.signal(signal.SIGUSR1, answer)
            n = 0
            while True:
                n += 1
                with open('/root/counter.tmp', 'w') as f:
                    f.write(str(n))
                os.rename('/root/counter.tmp', '/root/counter')
                time.sleep(0.2)
            """;

    private Daemon daemon;
    private Api api;

    @BeforeEach
    void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "2s", "--hibernate-after", "1h", "--tick-interval", "100ms");
        api = daemon.api();
    }

    @AfterEach
    void removeEverything() {
        daemon.close();
    }

    @Test
    void backgroundProcessKeepsItsPidAndMemoryThroughStandbyHibernationAndDaemonKills() {
        String id = api.create(Map.of("idleTimeoutSeconds", 2));
        api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "cat > /root/keeper.py"), "stdin", KEEPER));
        String pid = api.sh(id, "nohup python3 /root/keeper.py >/dev/null 2>&1 & echo $!").strip();
        // SIGUSR1 would kill the keeper before it installs its handler, which it does before counting.
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(id) > 0);
        String identity = askIdentity(id, pid);
        assertThat(identity).matches(pid + " [0-9a-f]{32}");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        provesNothingRunsInStandby(id);
        assertThat(askIdentity(id, pid)).as("after standby").isEqualTo(identity);
        long counted = counter(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(id) > counted);

        assertThat(api.post("/v1/sandboxes/" + id + "/hibernate", "").json().path("state").asString()).isEqualTo("hibernated");
        await().atMost(Duration.ofSeconds(15)).until(() -> HostTraces.runscProcesses(id).isEmpty());
        assertThat(api.state(id)).isEqualTo("hibernated");
        assertThat(askIdentity(id, pid)).as("after hibernation").isEqualTo(identity);

        daemon.kill9();
        daemon.restart();
        assertThat(askIdentity(id, pid)).as("after kill -9 while running").isEqualTo(identity);

        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        daemon.kill9();
        daemon.restart();
        assertThat(api.state(id)).as("re-adopted frozen").isEqualTo("standby");
        assertThat(askIdentity(id, pid)).as("after kill -9 in standby").isEqualTo(identity);

        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        assertThat(HostTraces.runscProcesses(id)).isEmpty();
    }

    /** Over two seconds of standby the counter does not move and the cgroup uses no CPU; reading metadata does not wake it. */
    private void provesNothingRunsInStandby(String id) {
        long counter = counter(id);
        long cpu = HostTraces.cpuNanos(daemon.cgroupParent(), id);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                api.state(id).equals("standby")
                        && counter(id) == counter
                        && HostTraces.cpuNanos(daemon.cgroupParent(), id) == cpu);
    }

    /** Asks the keeper for its pid and in-memory token; waking the sandbox if it sleeps. */
    private String askIdentity(String id, String pid) {
        return api.sh(id, "rm -f /root/answer; kill -USR1 " + pid
                + "; for i in $(seq 100); do [ -f /root/answer ] && break; sleep 0.05; done; cat /root/answer; rm /root/answer");
    }

    /** The keeper's counter, read on the host from the sandbox's writable layer. */
    private long counter(String id) {
        Path file = daemon.dataDirectory().resolve("sandboxes").resolve(id).resolve("disk/upper/root/counter");
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
