package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VolumesTest {

    private static final String ID = "sbq3k7x2mfa4z5hd";
    private static final String PATH = "/v1/sandboxes/" + ID;
    private static final String DATA = """
            {"id":"vo7h2kq9","name":"project-data","kind":"volume","sizeMb":1024,"usedBytes":8192,
             "createdAt":"2026-01-02T03:04:05.678Z","mountedIn":[{"sandboxId":"sbq3k7x2mfa4z5hd","mountPath":"/data","readOnly":false},
             {"sandboxId":"sbreader","mountPath":"/mnt/data","readOnly":true}]}""";
    private static final String SHARE = """
            {"id":"dr4m8x1z","name":"team-share","kind":"drive","sizeMb":10240,"usedBytes":0,
             "createdAt":"2026-01-03T00:00:00Z","mountedIn":[]}""";
    private static final VolumeInfo PROJECT_DATA = new VolumeInfo("vo7h2kq9", "project-data", VolumeKind.VOLUME, 1024, 8192,
            Instant.parse("2026-01-02T03:04:05.678Z"), List.of(new VolumeInfo.Holder(ID, "/data", false),
            new VolumeInfo.Holder("sbreader", "/mnt/data", true)));
    /** {@link Fixtures#SANDBOX} with a volume and a drive mounted, as the daemon shows them. */
    private static final String MOUNTING = Fixtures.SANDBOX.replace("\"failureReason\":null", """
            "failureReason":null,"mounts":[{"kind":"volume","id":"vo7h2kq9","name":"project-data","mountPath":"/data","readOnly":false},
             {"kind":"drive","id":"dr4m8x1z","name":"team-share","mountPath":"/shared","readOnly":true}]""");

    private StubServer daemon;
    private Perpetua perpetua;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void aVolumeIsMadeWithItsNameAndSizeAndAnswersWithWhereItIsMounted() {
        daemon.json("POST", "/v1/volumes", 201, DATA);

        VolumeInfo made = perpetua.volumes().create("project-data", 1024);

        StubServer.Request request = daemon.only();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.text()).isEqualTo("{\"name\":\"project-data\",\"sizeMb\":1024}");
        assertThat(made).isEqualTo(PROJECT_DATA);
    }

    @Test
    void theVolumesOfTheProjectAreListedFetchedAndDeletedByIdOrName() {
        daemon.json("GET", "/v1/volumes", 200, "{\"volumes\":[" + DATA + "]}")
                .json("GET", "/v1/volumes/project-data", 200, DATA)
                .json("DELETE", "/v1/volumes/vo7h2kq9", 204, "");

        assertThat(perpetua.volumes().list()).containsExactly(PROJECT_DATA);
        assertThat(perpetua.volumes().get("project-data")).isEqualTo(PROJECT_DATA);
        perpetua.volumes().delete("vo7h2kq9");

        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::path).containsExactly(
                tuple("GET", "/v1/volumes"), tuple("GET", "/v1/volumes/project-data"), tuple("DELETE", "/v1/volumes/vo7h2kq9"));
    }

    @Test
    void aDriveIsMadeWithTheDaemonsDefaultSizeOrItsOwn() {
        daemon.json("POST", "/v1/drives", 201, SHARE);

        VolumeInfo made = perpetua.drives().create("team-share");
        perpetua.drives().create("team-share", 64);

        assertThat(daemon.requests()).extracting(StubServer.Request::text)
                .containsExactly("{\"name\":\"team-share\"}", "{\"name\":\"team-share\",\"sizeMb\":64}");
        assertThat(made.kind()).isEqualTo(VolumeKind.DRIVE);
        assertThat(made.sizeMb()).isEqualTo(Drives.DEFAULT_SIZE_MB);
        assertThat(made.mountedIn()).isEmpty();
    }

    @Test
    void theDrivesOfTheProjectAreListedFetchedAndDeleted() {
        daemon.json("GET", "/v1/drives", 200, "{\"drives\":[" + SHARE + "]}")
                .json("GET", "/v1/drives/team-share", 200, SHARE)
                .json("DELETE", "/v1/drives/team-share", 204, "");

        assertThat(perpetua.drives().list()).extracting(VolumeInfo::name).containsExactly("team-share");
        assertThat(perpetua.drives().get("team-share").id()).isEqualTo("dr4m8x1z");
        perpetua.drives().delete("team-share");

        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::path).containsExactly(
                tuple("GET", "/v1/drives"), tuple("GET", "/v1/drives/team-share"), tuple("DELETE", "/v1/drives/team-share"));
    }

    @Test
    void aBadNameOrSizeIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> perpetua.volumes().create("Data", 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must be 1 to 63 characters of [a-z0-9_-], starting with a letter or digit, but was 'Data'");
        assertThatThrownBy(() -> perpetua.drives().create("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perpetua.drives().create("-x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perpetua.drives().create("d".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perpetua.volumes().create("data", VolumeInfo.MIN_SIZE_MB - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sizeMb must be between 16 and 16777216 but was 15");
        assertThatThrownBy(() -> perpetua.drives().create("data", VolumeInfo.MAX_SIZE_MB + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perpetua.volumes().get(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idOrName must not be blank but was ' '");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void namesAreEscapedInThePathAndTheDaemonsCodesComeThrough() {
        daemon.json("DELETE", "/v1/volumes/project-data", 409, """
                {"error":{"code":"volume_in_use","message":"volume project-data is mounted by sbq3k7x2mfa4z5hd"}}""");

        assertThatThrownBy(() -> perpetua.volumes().delete("project-data"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("volume_in_use"))
                .hasMessageContaining(ID);
        assertThatThrownBy(() -> perpetua.drives().get("a b/c")).isInstanceOf(NotFoundException.class);
        assertThat(daemon.requests().get(1).path()).isEqualTo("/v1/drives/a%20b%2Fc");
    }

    @Test
    void aSpecSendsItsVolumesAndDrivesApartInTheOrderGiven() {
        daemon.json("POST", "/v1/sandboxes", 201, MOUNTING);

        Sandbox sandbox = perpetua.sandboxes().create(SandboxSpec.builder()
                .volume("project-data", "/data")
                .drive("team-share", "/shared", true)
                .volume("vo2", "/mnt/old", true)
                .drive("dr2", "/mnt/tools")
                .build());

        assertThat(daemon.only().text()).isEqualTo("{\"volumes\":[{\"volume\":\"project-data\",\"mountPath\":\"/data\",\"readOnly\":false},"
                + "{\"volume\":\"vo2\",\"mountPath\":\"/mnt/old\",\"readOnly\":true}],"
                + "\"drives\":[{\"drive\":\"team-share\",\"mountPath\":\"/shared\",\"readOnly\":true},"
                + "{\"drive\":\"dr2\",\"mountPath\":\"/mnt/tools\",\"readOnly\":false}]}");
        assertThat(sandbox.info().mounts()).containsExactly(
                new MountInfo(VolumeKind.VOLUME, "vo7h2kq9", "project-data", "/data", false),
                new MountInfo(VolumeKind.DRIVE, "dr4m8x1z", "team-share", "/shared", true));
    }

    @Test
    void aSpecKeepsItsMountsWhenRebuiltAndASandboxWithoutAnyHasNone() {
        SandboxSpec spec = SandboxSpec.builder().template("python").mount(Mount.volume("project-data", "/data")).build();

        assertThat(spec.toBuilder().cpus(2.0).build().mounts()).containsExactly(Mount.volume("project-data", "/data", false));
        daemon.json("GET", PATH, 200, Fixtures.SANDBOX);
        assertThat(perpetua.sandboxes().get(ID).info().mounts()).isEmpty();
    }

    @Test
    void aMountNeedsAVolumeAndAnAbsolutePath() {
        assertThatThrownBy(() -> Mount.volume("", "/data"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idOrName must not be blank but was ''");
        assertThatThrownBy(() -> SandboxSpec.builder().drive("team-share", "shared"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mountPath must be an absolute path (starting with /) but was 'shared'");
        assertThatThrownBy(() -> SandboxSpec.builder().mount(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mounts[0] must not be null but was in [null]");
    }

    @Test
    void aCopyOfASnapshotTakesMountsToo() {
        daemon.json("POST", "/v1/sandboxes", 201, MOUNTING);

        perpetua.sandboxes().createFromSnapshot("snwarm", List.of(Mount.drive("team-share", "/shared")));

        assertThat(daemon.only().text())
                .isEqualTo("{\"snapshot\":\"snwarm\",\"drives\":[{\"drive\":\"team-share\",\"mountPath\":\"/shared\",\"readOnly\":false}]}");
    }

    @Test
    void aDriveIsMountedIntoASandboxThatRunsAndTheHandleRemembersTheAnswer() {
        daemon.json("POST", PATH + "/drives", 200, MOUNTING);
        Sandbox sandbox = perpetua.sandboxes().handle(ID);

        SandboxInfo mounted = sandbox.mountDrive("team-share", "/shared", true);
        sandbox.mountDrive("dr4m8x1z", "/mnt/team");

        assertThat(daemon.requests()).extracting(StubServer.Request::text).containsExactly(
                "{\"drive\":\"team-share\",\"mountPath\":\"/shared\",\"readOnly\":true}",
                "{\"drive\":\"dr4m8x1z\",\"mountPath\":\"/mnt/team\",\"readOnly\":false}");
        assertThat(mounted.mounts()).extracting(MountInfo::kind, MountInfo::mountPath)
                .containsExactly(tuple(VolumeKind.VOLUME, "/data"), tuple(VolumeKind.DRIVE, "/shared"));
        assertThat(sandbox.info().mounts()).hasSize(2);
        assertThat(daemon.requests()).hasSize(2);
    }

    @Test
    void aMountOfAVolumeThatIsGoneHasNoKindNorName() {
        daemon.json("GET", PATH, 200, Fixtures.SANDBOX.replace("\"failureReason\":null", """
                "failureReason":null,"mounts":[{"kind":null,"id":"vogone","name":null,"mountPath":"/data","readOnly":false}]"""));

        assertThat(perpetua.sandboxes().get(ID).info().mounts())
                .containsExactly(new MountInfo(null, "vogone", null, "/data", false));
    }
}
