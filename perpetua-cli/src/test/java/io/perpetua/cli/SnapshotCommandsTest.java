package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapshotCommandsTest {

    private static final String SANDBOX = """
            {"id":"sb1","project":"default","state":"running","template":null,"createdAt":"2026-01-02T03:04:05.678Z",
             "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"diskMb":1024,"maxProcesses":1024,"maxOpenFiles":65536,"envNames":[],
             "labels":{},"snapshot":null,"failureReason":null,"network":{"allowOut":[],"denyOut":[]},
             "lifecycle":{"onIdle":"standby","expirationPolicies":[],"expiresAt":null},"expiresAt":null,"mounts":[]}""";
    private static final String WARM = """
            {"id":"snwarm","name":"warm","sandboxId":"sb1","project":"default","createdAt":"2026-01-02T03:04:05.678Z","sizeBytes":73400320}""";
    private static final String PLAIN = """
            {"id":"snplain","name":null,"sandboxId":"sb9","project":"default","createdAt":"2026-01-03T00:00:00Z","sizeBytes":2048}""";

    private StubDaemon daemon;

    @BeforeEach
    void startDaemon() throws IOException {
        daemon = StubDaemon.start();
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
    }

    @Test
    void createSavesTheSandboxUnderItsNameAndPrintsOnlyTheSnapshotsId() {
        daemon.answer("POST", "/v1/sandboxes/sb1/snapshots", 201, WARM);

        CliRun run = perpetua("snapshot", "create", "sb1", "--name", "warm");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("snwarm\n");
        Request request = daemon.requests().getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(json(request.body())).isEqualTo("{\"name\":\"warm\"}");
    }

    @Test
    void createWithoutANameSendsAnEmptyObjectAndJsonOutputPrintsTheSnapshot() {
        daemon.answer("POST", "/v1/sandboxes/sb1/snapshots", 201, PLAIN);

        CliRun run = perpetua("snapshot", "create", "sb1", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{}");
        assertThat(json(run.out())).isEqualTo(json(PLAIN));
    }

    @Test
    void aNameTooLongIsAUsageErrorAndNothingIsSent() {
        CliRun run = perpetua("snapshot", "create", "sb1", "--name", "n".repeat(101));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("perpetua: name must have at most 100 characters but had 101\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void listPrintsTheProjectsSnapshotsInATable() {
        daemon.answer("GET", "/v1/snapshots", 200, "{\"snapshots\":[" + WARM + "," + PLAIN + "]}");

        CliRun run = perpetua("snapshot", "list");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "ID       NAME  SANDBOX  CREATED               SIZE",
                "snwarm   warm  sb1      2026-01-02T03:04:05Z  73400320",
                "snplain  -     sb9      2026-01-03T00:00:00Z  2048");
    }

    @Test
    void listWithASandboxAsksForItsSnapshotsAndPrintsJsonWhenAsked() {
        daemon.answer("GET", "/v1/sandboxes/sb1/snapshots", 200, "{\"snapshots\":[" + WARM + "]}");

        CliRun run = perpetua("snapshot", "list", "--sandbox", "sb1", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json("[" + WARM + "]"));
        assertThat(daemon.requests()).extracting(Request::method, Request::path)
                .containsExactly(tuple("GET", "/v1/sandboxes/sb1/snapshots"));
    }

    @Test
    void getPrintsOneSnapshotAsATableOrAsJson() {
        daemon.answer("GET", "/v1/snapshots/snwarm", 200, WARM);

        CliRun table = perpetua("snapshot", "get", "snwarm");
        CliRun asJson = perpetua("snapshot", "get", "snwarm", "--output", "json");

        assertThat(table.out().lines()).containsExactly(
                "ID      NAME  SANDBOX  CREATED               SIZE",
                "snwarm  warm  sb1      2026-01-02T03:04:05Z  73400320");
        assertThat(json(asJson.out())).isEqualTo(json(WARM));
    }

    @Test
    void anUnknownSnapshotPrintsTheDaemonsMessageAndCodeAndExitsWith1() {
        daemon.answer("GET", "/v1/snapshots/snnope", 404, """
                {"error":{"code":"snapshot_not_found","message":"no snapshot with id 'snnope'"}}""");

        CliRun run = perpetua("snapshot", "get", "snnope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("perpetua: no snapshot with id 'snnope' (snapshot_not_found)\n");
    }

    @Test
    void deleteGoesOnPastASnapshotItCannotDeleteAndExitsWith1() {
        daemon.answer("DELETE", "/v1/snapshots/snwarm", 204, "");

        CliRun run = perpetua("snapshot", "delete", "snnope", "snwarm");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("deleted snwarm\n");
        assertThat(run.err()).isEqualTo("perpetua: no stub for DELETE /v1/snapshots/snnope (not_found)\n");
        assertThat(daemon.requests()).extracting(Request::method).containsExactly("DELETE", "DELETE");
    }

    @Test
    void restoreSendsTheSnapshotAndPrintsTheSandboxAndItsState() {
        daemon.answer("POST", "/v1/sandboxes/sb1/restore", 200, SANDBOX);

        CliRun run = perpetua("snapshot", "restore", "sb1", "snwarm");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb1 running\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"snapshot\":\"snwarm\"}");
    }

    @Test
    void restoreWithoutASnapshotIsAUsageError() {
        CliRun run = perpetua("snapshot", "restore", "sb1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("SNAPSHOT");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void forkSendsTheCountAndPrintsTheCopiesIdsOneALine() {
        daemon.answer("POST", "/v1/sandboxes/sb1/fork", 201, fork());

        CliRun run = perpetua("sandbox", "fork", "sb1", "--count", "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb2\nsb3\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"count\":2}");
    }

    @Test
    void forkWithJsonOutputPrintsTheSnapshotAndTheCopies() {
        daemon.answer("POST", "/v1/sandboxes/sb1/fork", 201, fork());

        CliRun run = perpetua("sandbox", "fork", "sb1", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json(fork()));
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"count\":1}");
    }

    @Test
    void aForkCountOutOfRangeIsAUsageErrorAndNothingIsSent() {
        CliRun run = perpetua("sandbox", "fork", "sb1", "--count", "21");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("perpetua: count must be between 1 and 20 but was 21\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void createWithASnapshotSendsOnlyTheSnapshot() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--snapshot", "snwarm");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb1\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"snapshot\":\"snwarm\"}");
    }

    @Test
    void createWithASnapshotAndASettingIsAUsageErrorNamingTheSetting() {
        CliRun run = perpetua("sandbox", "create", "--snapshot", "snwarm", "--memory", "512", "--label", "a=b",
                "--label", "c=d", "--output", "json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--snapshot makes a copy with every setting of its snapshot; give it without --memory, --label\n")
                .contains("Usage: perpetua sandbox create");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void helpListsTheSnapshotCommands() {
        assertThat(perpetua("--help").out()).contains("snapshot");
        assertThat(perpetua("snapshot", "--help").out()).contains("create", "list", "get", "delete", "restore");
        assertThat(perpetua("sandbox", "--help").out()).contains("fork");
    }

    private static String fork() {
        return "{\"snapshot\":" + WARM + ",\"sandboxes\":[" + SANDBOX.replace("\"sb1\"", "\"sb2\"") + ","
                + SANDBOX.replace("\"sb1\"", "\"sb3\"") + "]}";
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }

    private static String json(String text) {
        return JsonText.compact(text);
    }
}
