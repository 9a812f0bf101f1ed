package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapshotsTest {

    private static final String ID = "sbq3k7x2mfa4z5hd";
    private static final String PATH = "/v1/sandboxes/" + ID;
    private static final String SAVED = """
            {"id":"snwarm","name":"warm","sandboxId":"sbq3k7x2mfa4z5hd","project":"default",
             "createdAt":"2026-01-02T03:04:05.678Z","sizeBytes":73400320}""";
    private static final String UNNAMED = """
            {"id":"snplain","name":null,"sandboxId":"sbq3k7x2mfa4z5hd","project":"default",
             "createdAt":"2026-01-02T04:00:00Z","sizeBytes":1024}""";
    private static final SavedSnapshotInfo WARM = new SavedSnapshotInfo("snwarm", "warm", ID, "default",
            Instant.parse("2026-01-02T03:04:05.678Z"), 73400320);

    private StubServer daemon;
    private Perpetua perpetua;
    private Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
        sandbox = perpetua.sandboxes().handle(ID);
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void aNamedSnapshotPostsItsNameAndAnswersTheSavedSnapshot() {
        daemon.json("POST", PATH + "/snapshots", 201, SAVED);

        SavedSnapshotInfo saved = sandbox.snapshot("warm");

        StubServer.Request request = daemon.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.text()).isEqualTo("{\"name\":\"warm\"}");
        assertThat(saved).isEqualTo(WARM);
    }

    @Test
    void anUnnamedSnapshotSendsAnEmptyObjectAndHasANullName() {
        daemon.json("POST", PATH + "/snapshots", 201, UNNAMED);

        SavedSnapshotInfo saved = sandbox.snapshot();

        assertThat(daemon.only().text()).isEqualTo("{}");
        assertThat(saved.name()).isNull();
        assertThat(saved.sizeBytes()).isEqualTo(1024);
    }

    @Test
    void aBlankOrTooLongNameIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> sandbox.snapshot(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank but was ' '");
        assertThatThrownBy(() -> sandbox.snapshot(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank but was null");
        assertThatThrownBy(() -> sandbox.snapshot("n".repeat(101)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must have at most 100 characters but had 101");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void aNameOfTheLongestLengthIsSent() {
        daemon.json("POST", PATH + "/snapshots", 201, SAVED);

        sandbox.snapshot("n".repeat(SavedSnapshotInfo.MAX_NAME_LENGTH));

        assertThat(daemon.only().text()).isEqualTo("{\"name\":\"" + "n".repeat(100) + "\"}");
    }

    @Test
    void theSnapshotsOfASandboxAreListedOldestFirst() {
        daemon.json("GET", PATH + "/snapshots", 200, "{\"snapshots\":[" + SAVED + "," + UNNAMED + "]}");

        assertThat(sandbox.snapshots()).extracting(SavedSnapshotInfo::id, SavedSnapshotInfo::name)
                .containsExactly(tuple("snwarm", "warm"), tuple("snplain", null));
        assertThat(daemon.only().method()).isEqualTo("GET");
    }

    @Test
    void theSnapshotsOfTheProjectAreListedFetchedAndDeleted() {
        daemon.json("GET", "/v1/snapshots", 200, "{\"snapshots\":[" + SAVED + "]}")
                .json("GET", "/v1/snapshots/snwarm", 200, SAVED)
                .json("DELETE", "/v1/snapshots/snwarm", 204, "");

        assertThat(perpetua.snapshots().list()).containsExactly(WARM);
        assertThat(perpetua.snapshots().get("snwarm")).isEqualTo(WARM);
        perpetua.snapshots().delete("snwarm");

        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::path).containsExactly(
                tuple("GET", "/v1/snapshots"), tuple("GET", "/v1/snapshots/snwarm"), tuple("DELETE", "/v1/snapshots/snwarm"));
    }

    @Test
    void snapshotIdsAreEscapedInThePathAndABlankOneIsRefused() {
        assertThatThrownBy(() -> perpetua.snapshots().get("a b/c")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> perpetua.snapshots().delete(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id must not be blank but was ''");

        assertThat(daemon.only().path()).isEqualTo("/v1/snapshots/a%20b%2Fc");
    }

    @Test
    void restoreSendsTheSnapshotIdAndTheHandleRemembersTheAnswer() {
        daemon.json("POST", PATH + "/restore", 200, Fixtures.SANDBOX);

        SandboxInfo restored = sandbox.restore("snwarm");

        assertThat(daemon.only().text()).isEqualTo("{\"snapshot\":\"snwarm\"}");
        assertThat(restored.state()).isEqualTo("running");
        assertThat(sandbox.info()).isSameAs(restored);
        assertThat(daemon.requests()).hasSize(1);
    }

    @Test
    void forkSendsTheCountAndAnswersTheSnapshotAndHandlesOnTheCopies() {
        String copies = Fixtures.SANDBOX.replace(ID, "sbcopy1copy1copy") + "," + Fixtures.SANDBOX.replace(ID, "sbcopy2copy2copy");
        daemon.json("POST", PATH + "/fork", 201, "{\"snapshot\":" + SAVED + ",\"sandboxes\":[" + copies + "]}");

        Fork fork = sandbox.fork(2);

        assertThat(daemon.only().text()).isEqualTo("{\"count\":2}");
        assertThat(fork.snapshot()).isEqualTo(WARM);
        assertThat(fork.sandboxes()).extracting(Sandbox::id, forked -> forked.info().state())
                .containsExactly(tuple("sbcopy1copy1copy", "running"), tuple("sbcopy2copy2copy", "running"));
        assertThat(daemon.requests()).as("the copies' info came with the fork").hasSize(1);
    }

    @Test
    void aForkCountOutsideOneToTwentyIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> sandbox.fork(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be between 1 and 20 but was 0");
        assertThatThrownBy(() -> sandbox.fork(Sandbox.MAX_FORKS + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be between 1 and 20 but was 21");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void createFromSnapshotSendsOnlyTheSnapshotId() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        Sandbox copy = perpetua.sandboxes().createFromSnapshot("snwarm");

        assertThat(daemon.only().text()).isEqualTo("{\"snapshot\":\"snwarm\"}");
        assertThat(copy.id()).isEqualTo(ID);
        assertThat(copy.info().template()).isEqualTo("python");
        assertThatThrownBy(() -> perpetua.sandboxes().createFromSnapshot(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snapshotId must not be blank but was null");
    }

    @Test
    void anUnknownSnapshotIsNotFoundWithItsCode() {
        daemon.json("POST", PATH + "/restore", 404, """
                {"error":{"code":"snapshot_not_found","message":"no snapshot with id 'snnope'"}}""");

        assertThatThrownBy(() -> sandbox.restore("snnope"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("snapshot_not_found"))
                .hasMessage("no snapshot with id 'snnope'");
    }

    @Test
    void aDamagedSnapshotOrASandboxHoldingConnectionsIsAConflict() {
        daemon.json("POST", "/v1/sandboxes", 409, """
                {"error":{"code":"snapshot_corrupt","message":"snapshot snwarm is damaged"}}""")
                .json("POST", PATH + "/snapshots", 409, """
                {"error":{"code":"sandbox_has_connections","message":"sandbox holds 1 open TCP connection"}}""");

        assertThatThrownBy(() -> perpetua.sandboxes().createFromSnapshot("snwarm"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("snapshot_corrupt"));
        assertThatThrownBy(() -> sandbox.snapshot())
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_has_connections"));
    }

    @Test
    void aSnapshotOfAnotherSandboxIsAnInvalidRequestNamingTheField() {
        daemon.json("POST", PATH + "/restore", 400, """
                {"error":{"code":"invalid_input","message":"snapshot snother was not taken of this sandbox","field":"snapshot"}}""");

        assertThatThrownBy(() -> sandbox.restore("snother"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_input");
                    assertThat(e.field()).isEqualTo("snapshot");
                });
    }

    @Test
    void forkingPastAProjectLimitIsAQuotaError() {
        daemon.json("POST", PATH + "/fork", 429, """
                {"error":{"code":"project_sandbox_limit","message":"project default may have 10 sandboxes"}}""");

        assertThatThrownBy(() -> sandbox.fork(3))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.code()).isEqualTo("project_sandbox_limit"));
    }
}
