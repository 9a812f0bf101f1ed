package io.perpetua.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.access.ProjectId;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.ExpirationPolicy;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.metering.StoredSnapshot;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.template.Template;
import io.perpetua.template.TemplateRecipe;
import io.perpetua.store.PendingOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSandboxStoreTest {

    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00.123456Z");
    private static final SandboxSpec SPEC = new SandboxSpec("python", Duration.ofSeconds(45), Duration.ofMinutes(10),
            Map.of("PATH", "/usr/bin:/bin", "GREETING", "héllo wörld"), Map.of("team", "search", "app/name", "crawler"), 512, 1.5,
            2048, 300, 4096, new NetworkPolicy(List.of("10.1.2.0/24", "pypi.org"), List.of("0.0.0.0/0")));

    @TempDir
    Path directory;

    private Path file;
    private SqliteSandboxStore store;

    @BeforeEach
    void open() {
        file = directory.resolve("perpetua.db");
        store = SqliteSandboxStore.open(file);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Sandbox running(Instant createdAt) {
        return new Sandbox(SandboxId.random(), ProjectId.of("acme-7"), SPEC, SandboxState.RUNNING, createdAt, createdAt.plusNanos(1_500_000),
                createdAt.plusSeconds(2).plusNanos(7_000), 1, null, null, Lifecycle.DEFAULT);
    }

    private static Snapshot snapshotOf(Sandbox sandbox, String id, Instant createdAt) {
        return new Snapshot(id, sandbox.id(), createdAt, 123_456_789_012L, "crc32c:0badf00d");
    }

    @Test
    void insertedSandboxIsFoundEqual() {
        Sandbox sandbox = running(T0);

        store.insert(sandbox);

        assertThat(store.find(sandbox.id())).contains(sandbox);
    }

    @Test
    void sandboxWithoutEnvOrLabelsIsFoundEqual() {
        SandboxSpec bare = new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), null, null, 1024, 1.0, 10240, 1024, 65536, null);
        Sandbox sandbox = Sandbox.creating(SandboxId.random(), ProjectId.DEFAULT, bare, T0);

        store.insert(sandbox);

        assertThat(store.find(sandbox.id())).contains(sandbox);
    }

    @Test
    void unknownIdIsNotFound() {
        assertThat(store.find(SandboxId.random())).isEmpty();
    }

    @Test
    void updateChangesStateGenerationAndSnapshot() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Sandbox hibernated = sandbox.withSnapshot(snapshotOf(sandbox, "sn0000000000001a", T0.plusSeconds(60)))
                .withGeneration(3)
                .withState(SandboxState.HIBERNATED, T0.plusSeconds(61));

        store.update(hibernated);

        assertThat(store.find(sandbox.id())).contains(hibernated);
    }

    @Test
    void updateRecordsANewNetworkPolicy() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Sandbox opened = sandbox.withSpec(sandbox.spec().withNetwork(NetworkPolicy.DEFAULT));

        store.update(opened);

        assertThat(store.find(sandbox.id()).orElseThrow().spec().network()).isEqualTo(NetworkPolicy.DEFAULT);
    }

    @Test
    void updateRecordsTheFailureReason() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Sandbox failed = sandbox.failed("restore from snapshot sn1 failed: exit status 128", T0.plusSeconds(5));

        store.update(failed);

        assertThat(store.find(sandbox.id()).orElseThrow().failureReason())
                .isEqualTo("restore from snapshot sn1 failed: exit status 128");
        assertThat(store.find(sandbox.id())).contains(failed);
    }

    @Test
    void replacedSnapshotsStayAsHistoryRows() throws SQLException {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Sandbox first = sandbox.withSnapshot(snapshotOf(sandbox, "sn0000000000001a", T0.plusSeconds(60)));
        Sandbox second = first.withSnapshot(snapshotOf(sandbox, "sn0000000000002b", T0.plusSeconds(120)));

        store.update(first);
        store.update(second);
        store.update(second.withLastActivity(T0.plusSeconds(130)));

        assertThat(store.find(sandbox.id()).orElseThrow().snapshot()).isEqualTo(second.snapshot());
        assertThat(countRows("SELECT COUNT(*) FROM snapshots WHERE sandbox_id = '" + sandbox.id() + "'")).isEqualTo(2);
    }

    @Test
    void updateOfAnUnknownSandboxFails() {
        Sandbox stranger = running(T0);

        assertThatThrownBy(() -> store.update(stranger))
                .isInstanceOfSatisfying(RuntimeFailureException.class, e -> assertThat(e.code()).isEqualTo("store_failure"));
        assertThat(store.find(stranger.id())).isEmpty();
    }

    @Test
    void updateOfAnUnknownSandboxWithASnapshotFailsAndLeavesNoSnapshotRow() throws SQLException {
        Sandbox stranger = running(T0);

        assertThatThrownBy(() -> store.update(stranger.withSnapshot(snapshotOf(stranger, "sn0000000000001a", T0))))
                .isInstanceOf(RuntimeFailureException.class);

        store.close();
        assertThat(countRows("SELECT COUNT(*) FROM snapshots")).isZero();
    }

    @Test
    void insertingTheSameIdTwiceFails() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);

        assertThatThrownBy(() -> store.insert(sandbox)).isInstanceOf(RuntimeFailureException.class);
        assertThat(store.find(sandbox.id())).contains(sandbox);
    }

    @Test
    void listLiveLeavesOutDeletedSandboxesAndIsOldestFirst() {
        Sandbox oldest = running(T0);
        Sandbox middle = running(T0.plusSeconds(1));
        Sandbox newest = running(T0.plusSeconds(2));
        Sandbox deleted = running(T0.minusSeconds(1));
        store.insert(newest);
        store.insert(deleted);
        store.insert(oldest);
        store.insert(middle);
        store.update(deleted.withState(SandboxState.DELETED, T0.plusSeconds(3)));

        assertThat(store.listLive()).containsExactly(oldest, middle, newest);
    }

    @Test
    void listLiveGivesEachSandboxItsOwnEnvLabelsAndSnapshot() {
        Sandbox plain = Sandbox.creating(SandboxId.random(), ProjectId.DEFAULT,
                new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of("ONLY", "mine"), null, 1024, 1.0, 10240, 1024, 65536, null), T0);
        Sandbox rich = running(T0.plusSeconds(1));
        Sandbox hibernated = rich.withSnapshot(snapshotOf(rich, "sn0000000000003c", T0.plusSeconds(9)))
                .withState(SandboxState.HIBERNATED, T0.plusSeconds(9));
        store.insert(plain);
        store.insert(rich);
        store.update(hibernated);

        assertThat(store.listLive()).containsExactly(plain, hibernated);
    }

    @Test
    void sandboxesCreatedAtTheSameMomentAreListedByIdOrder() {
        Sandbox a = running(T0);
        Sandbox b = running(T0);
        store.insert(a);
        store.insert(b);

        List<String> byId = Stream.of(a, b).map(s -> s.id().value()).sorted().toList();
        assertThat(store.listLive()).extracting(s -> s.id().value()).containsExactlyElementsOf(byId);
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Sandbox hibernated = sandbox.withSnapshot(snapshotOf(sandbox, "sn0000000000001a", T0.plusSeconds(60)))
                .withState(SandboxState.HIBERNATED, T0.plusSeconds(60));
        store.update(hibernated);
        store.close();

        store = SqliteSandboxStore.open(file);

        assertThat(store.find(sandbox.id())).contains(hibernated);
        assertThat(store.listLive()).containsExactly(hibernated);
    }

    @Test
    void pendingOperationsSurviveAReopenUntilEnded() {
        Sandbox hibernating = running(T0);
        Sandbox deleting = running(T0.plusSeconds(1));
        store.insert(hibernating);
        store.insert(deleting);
        PendingOperation hibernation = new PendingOperation(hibernating.id(), PendingOperation.Kind.HIBERNATE, SandboxState.STANDBY,
                "snaaaaaaaaaaaaaa", T0.plusSeconds(5));
        PendingOperation deletion = new PendingOperation(deleting.id(), PendingOperation.Kind.DELETE, SandboxState.RUNNING, null,
                T0.plusSeconds(6));
        store.begin(hibernation);
        store.begin(deletion);

        store.close();
        store = SqliteSandboxStore.open(file);
        assertThat(store.pendingOperations()).containsExactly(hibernation, deletion);

        store.end(hibernating.id());
        store.end(hibernating.id());
        assertThat(store.pendingOperations()).containsExactly(deletion);
    }

    @Test
    void aNewOperationReplacesTheSandboxsPreviousOne() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        store.begin(new PendingOperation(sandbox.id(), PendingOperation.Kind.HIBERNATE, SandboxState.RUNNING, "snaaaaaaaaaaaaaa", T0));
        PendingOperation deletion = new PendingOperation(sandbox.id(), PendingOperation.Kind.DELETE, SandboxState.RUNNING, null,
                T0.plusSeconds(1));

        store.begin(deletion);

        assertThat(store.pendingOperations()).containsExactly(deletion);
    }

    @Test
    void savedSnapshotsOutliveTheirSandboxAndAreListedUntilDeleted() {
        Sandbox source = running(T0);
        store.insert(source);
        SavedSnapshot first = new SavedSnapshot(snapshotOf(source, "snaaaaaaaaaaaaaa", T0.plusSeconds(1)), ProjectId.of("team-a"), "before");
        SavedSnapshot second = new SavedSnapshot(snapshotOf(source, "snbbbbbbbbbbbbbb", T0.plusSeconds(2)), ProjectId.of("team-a"), null);
        store.saveSnapshot(second);
        store.saveSnapshot(first);
        store.update(source.withState(SandboxState.DELETED, T0.plusSeconds(3)));

        store.close();
        store = SqliteSandboxStore.open(file);
        assertThat(store.listSnapshots()).containsExactly(first, second);
        assertThat(store.findSnapshot(first.id())).contains(first);

        store.deleteSnapshot(first.id(), T0.plusSeconds(4));
        assertThat(store.findSnapshot(first.id())).isEmpty();
        assertThat(store.listSnapshots()).containsExactly(second);
        assertThat(store.findSnapshot("snunknownunknown")).isEmpty();

        assertThat(store.ledger().snapshotsBefore(T0.plusSeconds(10), ProjectId.of("team-a"))).containsExactly(
                new StoredSnapshot(source.id(), ProjectId.of("team-a"), T0.plusSeconds(1), T0.plusSeconds(4), first.sizeBytes()),
                new StoredSnapshot(source.id(), ProjectId.of("team-a"), T0.plusSeconds(2), null, second.sizeBytes()));
        assertThat(store.ledger().snapshotsBefore(T0.plusSeconds(2), ProjectId.of("team-a"))).as("sealed before").hasSize(1);
        assertThat(store.ledger().snapshotsBefore(T0.plusSeconds(10), ProjectId.of("team-b"))).isEmpty();
    }

    @Test
    void templatesKeepTheirRecipeAndStateAndFreeTheirNameWhenDeleted() {
        TemplateRecipe recipe = new TemplateRecipe("base", List.of("apt-get install -y jq", "echo ok"), Map.of("MODE", "warm"),
                List.of("python3 -m http.server 8000"), "curl -sf localhost:8000", Duration.ofSeconds(30), null, 512, null, 2048);
        Template building = Template.building("tpaaaaaaaaaaaaaa", "web", ProjectId.of("team-a"), recipe, T0);
        store.insertTemplate(building);
        Template ready = building.ready("snaaaaaaaaaaaaaa", "installed\n", T0.plusSeconds(9));
        store.updateTemplate(ready);

        store.close();
        store = SqliteSandboxStore.open(file);
        assertThat(store.findTemplate(ProjectId.of("team-a"), "web")).contains(ready);
        assertThat(store.findTemplate(ProjectId.of("team-b"), "web")).isEmpty();
        assertThat(store.listTemplates()).containsExactly(ready);

        store.deleteTemplate(ready.id(), T0.plusSeconds(10));
        assertThat(store.findTemplate(ProjectId.of("team-a"), "web")).isEmpty();
        Template again = Template.building("tpbbbbbbbbbbbbbb", "web", ProjectId.of("team-a"),
                new TemplateRecipe(null, null, null, null, null, null, null, null, null, null), T0.plusSeconds(11));
        store.insertTemplate(again);
        assertThat(store.listTemplates()).containsExactly(again);
    }

    @Test
    void aLifecycleIsKeptWithItsRulesAndTheReasonItDeletedTheSandbox() {
        Sandbox sandbox = running(T0);
        store.insert(sandbox);
        Lifecycle lifecycle = new Lifecycle(Lifecycle.OnIdle.NONE, List.of(ExpirationPolicy.parse("ttl-idle", "30m", "f"),
                ExpirationPolicy.parse("date", "2027-01-01T09:00:00+02:00", "f")));
        store.update(sandbox.withLifecycle(lifecycle));
        assertThat(store.find(sandbox.id()).orElseThrow().lifecycle()).isEqualTo(lifecycle);

        store.update(sandbox.withLifecycle(lifecycle).deletedFor("expired: ttl-idle 30m", T0.plusSeconds(1800)));
        store.close();
        store = SqliteSandboxStore.open(file);
        Sandbox deleted = store.find(sandbox.id()).orElseThrow();
        assertThat(deleted.state()).isEqualTo(SandboxState.DELETED);
        assertThat(deleted.failureReason()).isEqualTo("expired: ttl-idle 30m");
        assertThat(deleted.lifecycle()).isEqualTo(lifecycle);
    }

    @Test
    void annotationsAreKeptByNamespaceAndReplacedWhole() {
        Sandbox one = running(T0);
        Sandbox two = running(T0.plusSeconds(1));
        store.insert(one);
        store.insert(two);
        store.annotate(one.id(), "e2b", Map.of("endAt", "2026-01-05T10:05:00Z", "autoPause", "true"));
        store.annotate(two.id(), "e2b", Map.of("autoPause", "false"));
        store.annotate(one.id(), "other", Map.of("x", "héllo"));

        store.close();
        store = SqliteSandboxStore.open(file);
        assertThat(store.annotations(one.id(), "e2b")).isEqualTo(Map.of("endAt", "2026-01-05T10:05:00Z", "autoPause", "true"));
        assertThat(store.annotated("e2b")).containsOnlyKeys(one.id(), two.id());
        assertThat(store.annotations(one.id(), "other")).isEqualTo(Map.of("x", "héllo"));

        store.annotate(one.id(), "e2b", Map.of("autoPause", "false"));
        assertThat(store.annotations(one.id(), "e2b")).isEqualTo(Map.of("autoPause", "false"));
        store.annotate(two.id(), "e2b", Map.of());
        assertThat(store.annotated("e2b")).containsOnlyKeys(one.id());
        assertThat(store.annotations(two.id(), "nothing")).isEmpty();
    }

    @Test
    void migrationsRunOnceHoweverOftenTheFileIsOpened() throws SQLException {
        store.close();
        store = SqliteSandboxStore.open(file);
        store.close();
        store = SqliteSandboxStore.open(file);
        store.close();

        assertThat(countRows("SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL")).isEqualTo(13);
    }

    @Test
    void sandboxesOfADatabaseFromBeforeProjectsBelongToTheDefaultProject() throws SQLException {
        store.close();
        Path old = directory.resolve("v1.db");
        Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null).locations("classpath:db/migration").target("1").load().migrate();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + old);
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("""
                    INSERT INTO sandboxes (id, state, template, idle_timeout_ms, hibernate_after_ms, memory_mb, cpus,
                        created_at, state_changed_at, last_activity_at, generation)
                    VALUES ('sbaaaaaaaaaaaaaa', 'STANDBY', 'default', 15000, 600000, 1024, 1.0, 1, 2, 3, 1)""");
        }

        store = SqliteSandboxStore.open(old);

        assertThat(store.find(SandboxId.of("sbaaaaaaaaaaaaaa")).orElseThrow().project()).isEqualTo(ProjectId.DEFAULT);
    }

    @Test
    void theFileUsesWriteAheadLogging() throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("PRAGMA journal_mode")) {
            result.next();
            assertThat(result.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void openCreatesMissingDirectories() {
        Path nested = directory.resolve("data").resolve("state").resolve("perpetua.db");

        SqliteSandboxStore other = SqliteSandboxStore.open(nested);
        other.close();

        assertThat(Files.isRegularFile(nested)).isTrue();
    }

    @Test
    void closeIsIdempotent() {
        store.close();

        assertThatCode(store::close).doesNotThrowAnyException();
    }

    private long countRows(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
