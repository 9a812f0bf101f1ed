package io.perpetua.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.access.ProjectId;
import io.perpetua.metering.StateChange;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage ledger in SQLite: lines come back as written, in order, per project, across reopening. */
class LedgerTablesTest {

    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00.123456Z");
    private static final ProjectId BLUE = ProjectId.of("blue");

    @TempDir
    Path directory;

    @Test
    void linesComeBackInOrderPerProjectAndSurviveReopening() {
        SandboxId one = SandboxId.random();
        SandboxId two = SandboxId.random();
        StateChange running = new StateChange(one, BLUE, SandboxState.RUNNING, T0, 1.5, 512, 1, 0, 0, 0);
        StateChange standby = new StateChange(one, BLUE, SandboxState.STANDBY, T0.plusSeconds(30), 1.5, 512, 1, 123_456_789, 99_000_000, 4096);
        StateChange other = new StateChange(two, ProjectId.DEFAULT, SandboxState.RUNNING, T0.plusSeconds(1), 1, 256, 1, 0, 0, 0);
        Path file = directory.resolve("perpetua.db");
        try (SqliteSandboxStore store = SqliteSandboxStore.open(file)) {
            store.ledger().append(List.of(running, other));
            store.ledger().append(List.of(standby));
            store.ledger().heartbeat(T0.plusSeconds(5));
            store.ledger().heartbeat(T0.plusSeconds(10));
        }
        try (SqliteSandboxStore store = SqliteSandboxStore.open(file)) {
            assertThat(store.ledger().changesBefore(T0.plusSeconds(60), BLUE)).containsExactly(running, standby);
            assertThat(store.ledger().changesBefore(T0.plusSeconds(30), BLUE)).containsExactly(running);
            assertThat(store.ledger().latest()).containsEntry(one, standby).containsEntry(two, other).hasSize(2);
            assertThat(store.ledger().lastHeartbeat()).contains(T0.plusSeconds(10));
            assertThat(store.ledger().changesOf(one)).containsExactly(running, standby);
        }
    }
}
