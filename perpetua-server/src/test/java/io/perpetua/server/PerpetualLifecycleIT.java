package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        StatefulSandbox sandbox = StatefulSandbox.create(api, Map.of("idleTimeoutSeconds", 2));
        String id = sandbox.id();

        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        provesNothingRunsInStandby(id);
        sandbox.assertIntact(api, "after standby");
        long counted = counter(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(id) > counted);

        assertThat(api.post("/v1/sandboxes/" + id + "/hibernate", "").json().path("state").asString()).isEqualTo("hibernated");
        await().atMost(Duration.ofSeconds(15)).until(() -> HostTraces.runscProcesses(id).isEmpty());
        assertThat(api.state(id)).isEqualTo("hibernated");
        sandbox.assertIntact(api, "after hibernation");

        daemon.kill9();
        daemon.restart();
        sandbox.assertIntact(api, "after kill -9 while running");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        daemon.kill9();
        daemon.restart();
        assertThat(api.state(id)).as("re-adopted frozen").isEqualTo("standby");
        sandbox.assertIntact(api, "after kill -9 in standby");

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
