package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VolumeCommandsTest {

    private static final String DATA = """
            {"id":"vo7h2kq9","name":"project-data","kind":"volume","sizeMb":1024,"usedBytes":8192,"createdAt":"2026-01-02T03:04:05.678Z",
             "mountedIn":[{"sandboxId":"sb1","mountPath":"/data","readOnly":false},{"sandboxId":"sb2","mountPath":"/mnt/data","readOnly":true}]}""";
    private static final String SHARE = """
            {"id":"dr4m8x1z","name":"team-share","kind":"drive","sizeMb":10240,"usedBytes":0,"createdAt":"2026-01-03T00:00:00Z",
             "mountedIn":[]}""";
    private static final String SANDBOX = """
            {"id":"sb1","project":"default","state":"running","template":null,"createdAt":"2026-01-02T03:04:05.678Z",
             "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"diskMb":1024,"maxProcesses":1024,"maxOpenFiles":65536,"envNames":[],
             "labels":{},"snapshot":null,"failureReason":null,"network":{"allowOut":[],"denyOut":[]},
             "lifecycle":{"onIdle":"standby","expirationPolicies":[],"expiresAt":null},"expiresAt":null,
             "mounts":[{"kind":"volume","id":"vo7h2kq9","name":"project-data","mountPath":"/data","readOnly":false},
             {"kind":"drive","id":"dr4m8x1z","name":"team-share","mountPath":"/mnt/team","readOnly":true}]}""";

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
    void volumeCreateSendsTheNameAndSizeAndPrintsOnlyTheId() {
        daemon.answer("POST", "/v1/volumes", 201, DATA);

        CliRun run = perpetua("volume", "create", "project-data", "--size-mb", "1024");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("vo7h2kq9\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"name\":\"project-data\",\"sizeMb\":1024}");
    }

    @Test
    void volumeCreateWithoutASizeIsAUsageErrorAndNothingIsSent() {
        CliRun run = perpetua("volume", "create", "project-data");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--size-mb").contains("Usage: perpetua volume create");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void aBadNameOrSizeIsAUsageErrorAndNothingIsSent() {
        CliRun name = perpetua("volume", "create", "Data", "--size-mb", "64");
        CliRun size = perpetua("drive", "create", "data", "--size-mb", "8");

        assertThat(name.exitCode()).isEqualTo(2);
        assertThat(name.err()).isEqualTo("perpetua: name must be 1 to 63 characters of [a-z0-9_-], starting with a letter or digit, "
                + "but was 'Data'\n");
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.err()).isEqualTo("perpetua: sizeMb must be between 16 and 16777216 but was 8\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void driveCreateLeavesTheSizeToTheDaemonUnlessGivenAndPrintsJsonWhenAsked() {
        daemon.answer("POST", "/v1/drives", 201, SHARE);

        CliRun plain = perpetua("drive", "create", "team-share");
        CliRun sized = perpetua("drive", "create", "team-share", "--size-mb", "64", "--output", "json");

        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(plain.out()).isEqualTo("dr4m8x1z\n");
        assertThat(sized.exitCode()).as(sized.err()).isZero();
        assertThat(json(sized.out())).isEqualTo(json(SHARE));
        assertThat(daemon.requests()).extracting(request -> json(request.body()))
                .containsExactly("{\"name\":\"team-share\"}", "{\"name\":\"team-share\",\"sizeMb\":64}");
    }

    @Test
    void listPrintsTheVolumesInATableWithWhereTheyAreMounted() {
        daemon.answer("GET", "/v1/volumes", 200, "{\"volumes\":[" + DATA + "," + DATA.replace("vo7h2kq9", "vo2")
                .replace("project-data", "old").replaceAll("\"mountedIn\":\\[.*]", "\"mountedIn\":[]") + "]}");

        CliRun run = perpetua("volume", "list");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "ID        NAME          SIZE MB  USED BYTES  CREATED               MOUNTED IN",
                "vo7h2kq9  project-data  1024     8192        2026-01-02T03:04:05Z  sb1:/data,sb2:/mnt/data:ro",
                "vo2       old           1024     8192        2026-01-02T03:04:05Z  -");
    }

    @Test
    void driveListPrintsJsonWhenAsked() {
        daemon.answer("GET", "/v1/drives", 200, "{\"drives\":[" + SHARE + "]}");

        CliRun run = perpetua("drive", "list", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json("[" + SHARE + "]"));
    }

    @Test
    void getPrintsOneVolumeAsATableOrAsJsonByIdOrName() {
        daemon.answer("GET", "/v1/volumes/project-data", 200, DATA);

        CliRun table = perpetua("volume", "get", "project-data");
        CliRun asJson = perpetua("volume", "get", "project-data", "--output", "json");

        assertThat(table.out().lines()).containsExactly(
                "ID        NAME          SIZE MB  USED BYTES  CREATED               MOUNTED IN",
                "vo7h2kq9  project-data  1024     8192        2026-01-02T03:04:05Z  sb1:/data,sb2:/mnt/data:ro");
        assertThat(json(asJson.out())).isEqualTo(json(DATA));
    }

    @Test
    void anUnknownDrivePrintsTheDaemonsMessageAndCodeAndExitsWith1() {
        daemon.answer("GET", "/v1/drives/nope", 404, """
                {"error":{"code":"drive_not_found","message":"no drive 'nope'"}}""");

        CliRun run = perpetua("drive", "get", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("perpetua: no drive 'nope' (drive_not_found)\n");
    }

    @Test
    void deleteGoesOnPastAVolumeInUseAndExitsWith1() {
        daemon.answer("DELETE", "/v1/volumes/project-data", 409, """
                {"error":{"code":"volume_in_use","message":"volume project-data is mounted by sb1"}}""");
        daemon.answer("DELETE", "/v1/volumes/old", 204, "");

        CliRun run = perpetua("volume", "delete", "project-data", "old");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("deleted old\n");
        assertThat(run.err()).isEqualTo("perpetua: volume project-data is mounted by sb1 (volume_in_use)\n");
        assertThat(daemon.requests()).extracting(Request::method, Request::path)
                .containsExactly(tuple("DELETE", "/v1/volumes/project-data"), tuple("DELETE", "/v1/volumes/old"));
    }

    @Test
    void driveDeleteDeletesEachAndPrintsJsonWhenAsked() {
        daemon.answer("DELETE", "/v1/drives/team-share", 204, "");

        CliRun run = perpetua("drive", "delete", "team-share", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo("[\"team-share\"]");
    }

    @Test
    void sandboxCreateSendsTheVolumesAndDrivesToMount() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--volume", "project-data:/data", "--drive", "team-share:/mnt/team:ro",
                "--volume", "old:/mnt/old:rw", "--memory", "512");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb1\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"memoryMb":512,
                 "volumes":[{"volume":"project-data","mountPath":"/data","readOnly":false},
                            {"volume":"old","mountPath":"/mnt/old","readOnly":false}],
                 "drives":[{"drive":"team-share","mountPath":"/mnt/team","readOnly":true}]}"""));
    }

    @Test
    void sandboxCreateWithASnapshotTakesVolumesAndDrivesToo() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--snapshot", "snwarm", "--drive", "team-share:/shared");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"snapshot":"snwarm","drives":[{"drive":"team-share","mountPath":"/shared","readOnly":false}]}"""));
    }

    @Test
    void aMountThatIsNotNamePathIsAUsageErrorAndNothingIsSent() {
        for (String bad : new String[] {"data", "data:", ":/data", "data:relative", "data:ro"}) {
            CliRun run = perpetua("sandbox", "create", "--volume", bad);

            assertThat(run.exitCode()).as(bad).isEqualTo(2);
            assertThat(run.err()).as(bad).startsWith("Invalid value for option '--volume' (NAME:/PATH[:ro]): '" + bad
                    + "' is not a name and an absolute path, such as data:/data or data:/data:ro\n");
        }
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void mountDriveSendsTheDriveAndPrintsWhatTheSandboxMounts() {
        daemon.answer("POST", "/v1/sandboxes/sb1/drives", 200, SANDBOX);

        CliRun run = perpetua("sandbox", "mount-drive", "sb1", "team-share:/mnt/team:ro");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body()))
                .isEqualTo("{\"drive\":\"team-share\",\"mountPath\":\"/mnt/team\",\"readOnly\":true}");
        assertThat(run.out().lines()).containsExactly(
                "KIND    NAME          ID        MODE  PATH",
                "volume  project-data  vo7h2kq9  rw    /data",
                "drive   team-share    dr4m8x1z  ro    /mnt/team");
    }

    @Test
    void mountDriveWithJsonOutputPrintsTheSandboxWithItsMounts() {
        daemon.answer("POST", "/v1/sandboxes/sb1/drives", 200, SANDBOX);

        CliRun run = perpetua("sandbox", "mount-drive", "sb1", "team-share:/mnt/team", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json(SANDBOX));
    }

    @Test
    void mountDriveWithoutTheDriveIsAUsageError() {
        CliRun run = perpetua("sandbox", "mount-drive", "sb1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("DRIVE:/PATH[:ro]");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void helpListsTheVolumeAndDriveCommands() {
        assertThat(perpetua("--help").out()).contains("volume", "drive");
        assertThat(perpetua("volume", "--help").out()).contains("create", "list", "get", "delete", "one sandbox at a time");
        assertThat(perpetua("drive", "--help").out()).contains("create", "list", "get", "delete", "any number of sandboxes");
        assertThat(perpetua("volume", "create", "--help").out()).contains("--size-mb=MB").doesNotContain("[--size-mb=MB]");
        assertThat(perpetua("drive", "create", "--help").out()).contains("[--size-mb=MB]", "default: 10240");
        assertThat(perpetua("drive", "list", "--help").out()).contains("Lists the project's drives");
        assertThat(perpetua("sandbox", "--help").out()).contains("mount-drive");
        assertThat(perpetua("sandbox", "create", "--help").out()).contains("--volume=NAME:/PATH[:ro]", "--drive=NAME:/PATH[:ro]");
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }

    private static String json(String text) {
        return JsonText.compact(text);
    }
}
