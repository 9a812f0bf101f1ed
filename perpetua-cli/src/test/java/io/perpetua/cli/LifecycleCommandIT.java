package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code perpetua sandbox create --on-idle --expire} and {@code sandbox lifecycle} against a real
 * daemon: the lifecycle given at creation is shown, changed a part at a time, removed, and a
 * date rule set last deletes the sandbox.
 */
class LifecycleCommandIT {

    private static LiveDaemon daemon;
    private static Perpetua perpetua;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
        perpetua = Perpetua.connect(daemon.url(), LiveDaemon.KEY);
    }

    @AfterAll
    static void stopDaemon() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void deleteEverything() {
        perpetua.sandboxes().list().forEach(Sandbox::delete);
    }

    @Test
    void aLifecycleIsGivenShownChangedRemovedAndADateRuleDeletesTheSandbox() {
        String id = ok("sandbox", "create", "--on-idle", "none", "--expire", "ttl-max-age=1d").strip();
        assertThat(ok("sandbox", "lifecycle", id)).startsWith("on idle:    none\nexpire:     ttl-max-age=1d\nexpires at: 20");
        assertThat(ok("sandbox", "get", id)).contains("\"onIdle\": \"none\"", "\"expiresAt\": \"20");
        assertThat(ok("sandbox", "list")).contains("EXPIRES");

        assertThat(ok("sandbox", "lifecycle", id, "--on-idle", "standby")).as("the rule kept")
                .startsWith("on idle:    standby\nexpire:     ttl-max-age=1d\n");
        assertThat(ok("sandbox", "lifecycle", id, "--no-expiry")).isEqualTo("on idle:    standby\nexpire:     -\nexpires at: never\n");
        assertThat(JsonText.compact(ok("sandbox", "lifecycle", id, "--output", "json")))
                .isEqualTo("{\"onIdle\":\"standby\",\"expirationPolicies\":[],\"expiresAt\":null}");

        String soon = Instant.now().plusSeconds(2).toString();
        assertThat(ok("sandbox", "lifecycle", id, "--expire", "date=" + soon)).contains("expire:     date=" + soon + "\n");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> CliRun.of(daemon.env(), "", "sandbox", "get", id).exitCode() == 1);
        CliRun gone = CliRun.of(daemon.env(), "", "sandbox", "lifecycle", id);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("(sandbox_not_found)");
    }

    /** Runs the CLI, expecting success, and answers what it printed. */
    private static String ok(String... args) {
        CliRun run = CliRun.of(daemon.env(), "", args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run.out();
    }
}
