package io.perpetua.store.sqlite;

import io.perpetua.access.ProjectId;
import io.perpetua.metering.Ledger;
import io.perpetua.metering.StateChange;
import io.perpetua.metering.StoredSnapshot;
import io.perpetua.metering.StoredVolume;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The usage ledger in the store: lines appended in one transaction per batch, read in the order written. */
final class LedgerTables implements Ledger {

    private static final String COLUMNS = "sandbox_id, project, state, at, cpus, memory_mb, generation, cpu_nanos, "
            + "peak_memory_bytes, stored_bytes";

    private final Transactions transactions;

    LedgerTables(Transactions transactions) {
        this.transactions = transactions;
    }

    @Override
    public void append(List<StateChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        transactions.execute("append " + changes.size() + " usage line(s)", connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO state_changes (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (StateChange change : changes) {
                    row.setString(1, change.sandbox().value());
                    row.setString(2, change.project().value());
                    row.setString(3, change.state().name().toLowerCase(Locale.ROOT));
                    row.setLong(4, SandboxTables.micros(change.at()));
                    row.setDouble(5, change.cpus());
                    row.setInt(6, change.memoryMb());
                    row.setInt(7, change.generation());
                    row.setLong(8, change.cpuNanos());
                    row.setLong(9, change.peakMemoryBytes());
                    row.setLong(10, change.storedBytes());
                    row.addBatch();
                }
                row.executeBatch();
            }
        });
    }

    @Override
    public List<StoredVolume> volumesBefore(Instant until, ProjectId project) {
        return transactions.run("read volume storage of " + project.value(), connection -> {
            List<StoredVolume> stored = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT id, name, kind, size_mb, created_at, deleted_at FROM volumes
                    WHERE project = ? AND created_at < ? ORDER BY created_at, id""")) {
                query.setString(1, project.value());
                query.setLong(2, SandboxTables.micros(until));
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        stored.add(new StoredVolume(r.getString("id"), r.getString("name"), r.getString("kind").toLowerCase(Locale.ROOT),
                                SandboxTables.instant(r.getLong("created_at")), deletedAt(r), r.getInt("size_mb")));
                    }
                }
            }
            return stored;
        });
    }

    @Override
    public List<StoredSnapshot> snapshotsBefore(Instant until, ProjectId project) {
        return transactions.run("read snapshot storage of " + project.value(), connection -> {
            List<StoredSnapshot> stored = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT p.sandbox_id, p.created_at, p.size_bytes, k.deleted_at
                    FROM saved_snapshots k JOIN snapshots p ON p.id = k.id
                    WHERE k.project = ? AND p.created_at < ? ORDER BY p.created_at, p.id""")) {
                query.setString(1, project.value());
                query.setLong(2, SandboxTables.micros(until));
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        stored.add(new StoredSnapshot(SandboxId.of(r.getString("sandbox_id")), project,
                                SandboxTables.instant(r.getLong("created_at")), deletedAt(r), r.getLong("size_bytes")));
                    }
                }
            }
            return stored;
        });
    }

    @Override
    public List<StateChange> changesBefore(Instant until, ProjectId project) {
        return transactions.run("read usage of " + project.value(), connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS
                    + " FROM state_changes WHERE project = ? AND at < ? ORDER BY sandbox_id, seq")) {
                query.setString(1, project.value());
                query.setLong(2, SandboxTables.micros(until));
                return lines(query);
            }
        });
    }

    @Override
    public List<StateChange> changesOf(SandboxId sandbox) {
        return transactions.run("read usage of " + sandbox.value(), connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS
                    + " FROM state_changes WHERE sandbox_id = ? ORDER BY seq")) {
                query.setString(1, sandbox.value());
                return lines(query);
            }
        });
    }

    @Override
    public Map<SandboxId, StateChange> latest() {
        return transactions.run("read the latest usage lines", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT " + COLUMNS + " FROM state_changes"
                    + " WHERE seq IN (SELECT MAX(seq) FROM state_changes GROUP BY sandbox_id)")) {
                Map<SandboxId, StateChange> latest = new LinkedHashMap<>();
                lines(query).forEach(line -> latest.put(line.sandbox(), line));
                return latest;
            }
        });
    }

    @Override
    public void heartbeat(Instant at) {
        transactions.execute("write the heartbeat", connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at")) {
                row.setLong(1, SandboxTables.micros(at));
                row.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Instant> lastHeartbeat() {
        return transactions.run("read the heartbeat", connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT at FROM heartbeat WHERE id = 1");
                 ResultSet r = query.executeQuery()) {
                return r.next() ? Optional.of(SandboxTables.instant(r.getLong("at"))) : Optional.empty();
            }
        });
    }

    private static List<StateChange> lines(PreparedStatement query) throws SQLException {
        List<StateChange> lines = new ArrayList<>();
        try (ResultSet r = query.executeQuery()) {
            while (r.next()) {
                lines.add(new StateChange(SandboxId.of(r.getString("sandbox_id")), ProjectId.of(r.getString("project")),
                        SandboxState.valueOf(r.getString("state").toUpperCase(Locale.ROOT)),
                        SandboxTables.instant(r.getLong("at")), r.getDouble("cpus"), r.getInt("memory_mb"),
                        r.getInt("generation"), r.getLong("cpu_nanos"), r.getLong("peak_memory_bytes"),
                        r.getLong("stored_bytes")));
            }
        }
        return lines;
    }

    /** The row's {@code deleted_at}, or null while what it records is kept. */
    private static Instant deletedAt(ResultSet r) throws SQLException {
        long deleted = r.getLong("deleted_at");
        return r.wasNull() ? null : SandboxTables.instant(deleted);
    }
}
