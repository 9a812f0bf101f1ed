package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A sandbox's own limits through the API: shown, enforced, and a sandbox that blows one resumes from its snapshot. */
class LimitsIT {

    private static Daemon daemon;
    private static Api api;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "1h");
        api = daemon.api();
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void limitsAreTheDefaultsUnlessGivenAndHoldInsideTheSandbox() {
        JsonNode defaults = api.post("/v1/sandboxes", Map.of()).json();
        assertThat(defaults.path("diskMb").asInt()).isEqualTo(10240);
        assertThat(defaults.path("maxProcesses").asInt()).isEqualTo(1024);
        assertThat(defaults.path("maxOpenFiles").asInt()).isEqualTo(65536);

        String id = api.create(Map.of("diskMb", 200, "maxOpenFiles", 512, "maxProcesses", 128));
        assertThat(api.sh(id, "ulimit -n")).isEqualTo("512\n");
        assertThat(api.exec(id, "sh", "-c", "dd if=/dev/zero of=/root/fill bs=1M count=400 2>&1").path("stdout").asString())
                .contains("No space left on device");
        api.delete("/v1/sandboxes/" + id);
        api.delete("/v1/sandboxes/" + defaults.path("id").asString());
    }

    @Test
    void aSandboxThatRunsOutOfMemoryFailsWithTheReasonAndResumesFromItsLastSnapshot() {
        String id = api.create(Map.of("memoryMb", 128));
        api.sh(id, "echo before > /root/kept");
        assertThat(api.post("/v1/sandboxes/" + id + "/hibernate", "").status()).isEqualTo(200);
        api.sh(id, "echo after-snapshot > /root/files-stay");

        Api.Response blown = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("python3", "-c", "s = 'x' * (512 << 20)")));

        JsonNode failed = api.get("/v1/sandboxes/" + id).json();
        assertThat(failed.path("state").asString()).as(blown.body()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asString()).contains("out of memory").contains("128 MiB");
        assertThat(failed.path("snapshot").path("id").asString()).as("the last good snapshot is kept").isNotEmpty();

        assertThat(api.sh(id, "cat /root/kept /root/files-stay")).as("resumed from the snapshot; files on disk were never lost")
                .isEqualTo("before\nafter-snapshot\n");
        assertThat(api.state(id)).isEqualTo("running");
        api.delete("/v1/sandboxes/" + id);
    }
}
