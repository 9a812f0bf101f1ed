package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The REST API against a real daemon: lifecycle operations, metrics, concurrency, snapshots and cleanup. */
class SandboxApiIT {

    private static Daemon daemon;
    private static Api api;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "1h", "--hibernate-after", "1h");
        api = daemon.api();
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void createdSandboxIsRunningWithTheRequestedSettings() {
        Api.Response created = api.post("/v1/sandboxes", Map.of("idleTimeoutSeconds", 30, "hibernateAfterSeconds", 120,
                "memoryMb", 256, "cpus", 0.5, "env", Map.of("GREETING", "hi"), "labels", Map.of("team", "data")));
        assertThat(created.status()).isEqualTo(201);
        JsonNode sandbox = created.json();
        String id = sandbox.path("id").asString();
        assertThat(sandbox.path("state").asString()).isEqualTo("running");
        assertThat(sandbox.path("idleTimeoutSeconds").asInt()).isEqualTo(30);
        assertThat(sandbox.path("hibernateAfterSeconds").asInt()).isEqualTo(120);
        assertThat(sandbox.path("memoryMb").asInt()).isEqualTo(256);
        assertThat(sandbox.path("labels").path("team").asString()).isEqualTo("data");
        assertThat(api.sh(id, "echo $GREETING")).isEqualTo("hi\n");
        assertThat(api.get("/v1/sandboxes").json().path("sandboxes").findValuesAsString("id")).contains(id);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void execReturnsOutputExitCodeAndHonoursCwdEnvStdinAndTimeout() {
        String id = api.create(Map.of());
        JsonNode result = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sh", "-c", "pwd; echo $X; cat; echo err >&2; exit 4"),
                "cwd", "/tmp", "env", Map.of("X", "y"), "stdin", "input")).json();
        assertThat(result.path("exitCode").asInt()).isEqualTo(4);
        assertThat(result.path("stdout").asString()).isEqualTo("/tmp\ny\ninput");
        assertThat(result.path("stderr").asString()).isEqualTo("err\n");
        JsonNode slow = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("sleep", "60"), "timeoutSeconds", 1)).json();
        assertThat(slow.path("timedOut").asBoolean()).isTrue();
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void standbyHibernateAndResumeMoveTheSandboxAndKeepItsFiles() {
        String id = api.create(Map.of());
        api.sh(id, "echo kept > /root/file");
        assertThat(post(id, "standby").path("state").asString()).isEqualTo("standby");
        assertThat(api.state(id)).isEqualTo("standby");
        assertThat(post(id, "hibernate").path("state").asString()).isEqualTo("hibernated");
        assertThat(post(id, "hibernate").path("state").asString()).as("hibernating twice is harmless").isEqualTo("hibernated");
        JsonNode hibernated = api.get("/v1/sandboxes/" + id).json();
        assertThat(hibernated.path("snapshot").path("sizeBytes").asLong()).isPositive();
        assertThat(post(id, "resume").path("state").asString()).isEqualTo("running");
        assertThat(api.sh(id, "cat /root/file")).isEqualTo("kept\n");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void readingMetadataNeverWakesASandbox() {
        String id = api.create(Map.of());
        post(id, "standby");
        String lastActivity = api.get("/v1/sandboxes/" + id).json().path("lastActivityAt").asString();
        for (int i = 0; i < 5; i++) {
            api.get("/v1/sandboxes/" + id);
            api.get("/v1/sandboxes");
        }
        JsonNode after = api.get("/v1/sandboxes/" + id).json();
        assertThat(after.path("state").asString()).isEqualTo("standby");
        assertThat(after.path("lastActivityAt").asString()).isEqualTo(lastActivity);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void concurrentRequestsToAHibernatedSandboxShareOneRestore() throws Exception {
        String id = api.create(Map.of());
        post(id, "hibernate");
        double restoresBefore = metric("perpetua_resume_seconds_count", "tier=\"hibernated\"");
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int n = i;
                calls.add(() -> api.sh(id, "echo " + n));
            }
            List<Future<String>> answers = clients.invokeAll(calls);
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get()).isEqualTo(i + "\n");
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(metric("perpetua_resume_seconds_count", "tier=\"hibernated\"") - restoresBefore).isEqualTo(1.0);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void metricsShowStatesTransitionsResumesAndCheckpoints() {
        String id = api.create(Map.of());
        post(id, "standby");
        api.sh(id, "true");
        post(id, "hibernate");
        Api.Response metrics = api.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("perpetua_sandboxes{state=\"hibernated\"}",
                "perpetua_transitions_total{from=\"running\",to=\"standby\"}",
                "perpetua_resume_seconds_bucket{tier=\"standby\"",
                "perpetua_resume_seconds_bucket{tier=\"hibernated\"",
                "perpetua_checkpoint_seconds_count", "perpetua_checkpoint_bytes_sum");
        assertThat(metric("perpetua_sandboxes", "state=\"hibernated\"")).isGreaterThanOrEqualTo(1.0);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void deleteRemovesEveryProcessMountCgroupFileAndSnapshot() {
        String id = api.create(Map.of());
        api.sh(id, "echo x > /root/x");
        post(id, "hibernate");
        api.sh(id, "sleep 1000 >/dev/null 2>&1 &");
        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
        Path data = daemon.dataDirectory();
        assertThat(HostTraces.runscProcesses(id)).isEmpty();
        assertThat(HostTraces.mountsUnder(data.resolve("sandboxes").resolve(id))).isEmpty();
        assertThat(HostTraces.cgroups("freezer", daemon.cgroupParent(), id)).isEmpty();
        assertThat(HostTraces.cgroups("memory", daemon.cgroupParent(), id)).isEmpty();
        assertThat(data.resolve("sandboxes").resolve(id)).doesNotExist();
        assertThat(data.resolve("snapshots").resolve(id)).doesNotExist();
        assertThat(api.get("/v1/sandboxes/" + id).status()).isEqualTo(404);
        assertThat(api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true"))).status()).isEqualTo(404);
        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(404);
    }

    @Test
    void corruptSnapshotIsDetectedAndNeverRestored() throws IOException {
        String id = api.create(Map.of());
        post(id, "hibernate");
        Path image;
        try (Stream<Path> files = Files.walk(daemon.dataDirectory().resolve("snapshots").resolve(id))) {
            image = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(image);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(image, bytes);
        Api.Response wake = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true")));
        assertThat(wake.status()).isEqualTo(500);
        assertThat(wake.errorCode()).isEqualTo("snapshot_corrupt");
        JsonNode failed = api.get("/v1/sandboxes/" + id).json();
        assertThat(failed.path("state").asString()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asString()).contains("unusable");
        assertThat(HostTraces.runscProcesses(id)).isEmpty();
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void sandboxWhoseProcessesDieFailsAndResumesFromItsLastSnapshot() {
        String id = api.create(Map.of());
        api.sh(id, "echo before > /root/file");
        post(id, "hibernate");
        api.sh(id, "echo after >> /root/file");
        killSandboxProcesses(id);

        Api.Response lost = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true")));
        assertThat(lost.status()).isEqualTo(500);
        JsonNode failed = api.get("/v1/sandboxes/" + id).json();
        assertThat(failed.path("state").asString()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asString()).contains("stopped unexpectedly");

        assertThat(api.sh(id, "cat /root/file")).as("resumed from the snapshot; files on disk kept").isEqualTo("before\nafter\n");
        assertThat(api.state(id)).isEqualTo("running");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void sandboxWhoseProcessesDieWithoutASnapshotFailsAndSaysSo() {
        String id = api.create(Map.of());
        killSandboxProcesses(id);
        assertThat(api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true"))).status()).isEqualTo(500);
        Api.Response refused = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true")));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("sandbox_failed");
        assertThat(api.delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    }

    /** Kills the sandbox's runsc processes, which the daemon started, by pid: a crash or an out-of-memory kill. */
    private static void killSandboxProcesses(String id) {
        List<Long> pids = HostTraces.runscProcesses(id);
        assertThat(pids).isNotEmpty();
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        await().atMost(Duration.ofSeconds(10)).until(() -> HostTraces.runscProcesses(id).isEmpty());
    }

    @Test
    void healthzAnswers() {
        Api.Response health = api.get("/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isEqualTo("ok");
    }

    private static JsonNode post(String id, String operation) {
        Api.Response response = api.post("/v1/sandboxes/" + id + "/" + operation, "");
        assertThat(response.status()).as(operation + ": " + response.body()).isEqualTo(200);
        return response.json();
    }

    /** The value of one Prometheus series, 0 if absent. */
    private static double metric(String name, String labels) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(labels) + "[^}]*\\} (\\S+)$")
                .matcher(api.get("/metrics").body());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0.0;
    }
}
