package io.perpetua.store.sqlite;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SQL of the store, portable between SQLite and PostgreSQL. */
final class SandboxTables {

    private static final String COLUMNS = """
            s.id, s.project, s.state, s.template, s.idle_timeout_ms, s.hibernate_after_ms, s.memory_mb, s.cpus,
            s.created_at, s.state_changed_at, s.last_activity_at, s.generation, s.failure_reason, s.allow_out, s.deny_out,
            s.disk_mb, s.max_processes, s.max_open_files, s.on_idle, s.expiration,
            p.id AS snapshot_id, p.created_at AS snapshot_created_at, p.size_bytes, p.checksum
            FROM sandboxes s LEFT JOIN snapshots p ON p.id = s.snapshot_id
            """;

    private final Transactions transactions;

    SandboxTables(Transactions transactions) {
        this.transactions = transactions;
    }

    void insert(Sandbox sandbox) {
        transactions.execute("insert sandbox " + sandbox.id(), connection -> {
            try (PreparedStatement row = connection.prepareStatement("""
                    INSERT INTO sandboxes (id, state, template, idle_timeout_ms, hibernate_after_ms, memory_mb, cpus,
                        created_at, state_changed_at, last_activity_at, generation, snapshot_id, failure_reason, project,
                        allow_out, deny_out, disk_mb, max_processes, max_open_files, on_idle, expiration)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                SandboxSpec spec = sandbox.spec();
                row.setString(1, sandbox.id().value());
                row.setString(2, sandbox.state().name());
                row.setString(3, spec.template());
                row.setLong(4, spec.idleTimeout().toMillis());
                row.setLong(5, spec.hibernateAfter().toMillis());
                row.setInt(6, spec.memoryMb());
                row.setDouble(7, spec.cpus());
                row.setLong(8, micros(sandbox.createdAt()));
                row.setLong(9, micros(sandbox.stateChangedAt()));
                row.setLong(10, micros(sandbox.lastActivityAt()));
                row.setInt(11, sandbox.generation());
                row.setString(12, sandbox.snapshot() == null ? null : sandbox.snapshot().id());
                row.setString(13, sandbox.failureReason());
                row.setString(14, sandbox.project().value());
                row.setString(15, String.join(",", spec.network().allowOut()));
                row.setString(16, String.join(",", spec.network().denyOut()));
                row.setInt(17, spec.diskMb());
                row.setInt(18, spec.maxProcesses());
                row.setInt(19, spec.maxOpenFiles());
                row.setString(20, sandbox.lifecycle().onIdle().wireName());
                row.setString(21, sandbox.lifecycle().encodedPolicies());
                row.executeUpdate();
            }
            insertPairs(connection, "INSERT INTO sandbox_env (sandbox_id, name, value) VALUES (?, ?, ?)", sandbox.id(), sandbox.spec().env());
            insertPairs(connection, "INSERT INTO sandbox_labels (sandbox_id, label_key, value) VALUES (?, ?, ?)", sandbox.id(), sandbox.spec().labels());
            insertSnapshot(connection, sandbox.snapshot());
        });
    }

    void update(Sandbox sandbox) {
        transactions.execute("update sandbox " + sandbox.id(), connection -> {
            insertSnapshot(connection, sandbox.snapshot());
            try (PreparedStatement row = connection.prepareStatement("""
                    UPDATE sandboxes SET state = ?, state_changed_at = ?, last_activity_at = ?, generation = ?,
                        snapshot_id = ?, failure_reason = ?, allow_out = ?, deny_out = ?, on_idle = ?, expiration = ? WHERE id = ?""")) {
                row.setString(1, sandbox.state().name());
                row.setLong(2, micros(sandbox.stateChangedAt()));
                row.setLong(3, micros(sandbox.lastActivityAt()));
                row.setInt(4, sandbox.generation());
                row.setString(5, sandbox.snapshot() == null ? null : sandbox.snapshot().id());
                row.setString(6, sandbox.failureReason());
                row.setString(7, String.join(",", sandbox.spec().network().allowOut()));
                row.setString(8, String.join(",", sandbox.spec().network().denyOut()));
                row.setString(9, sandbox.lifecycle().onIdle().wireName());
                row.setString(10, sandbox.lifecycle().encodedPolicies());
                row.setString(11, sandbox.id().value());
                if (row.executeUpdate() != 1) {
                    throw new SQLException("no sandbox row with id " + sandbox.id());
                }
            }
        });
    }

    Optional<Sandbox> find(SandboxId id) {
        List<Sandbox> found = query("find sandbox " + id, "SELECT " + COLUMNS + " WHERE s.id = ?", id.value());
        return found.stream().findFirst();
    }

    List<Sandbox> listLive() {
        return query("list sandboxes", "SELECT " + COLUMNS + " WHERE s.state <> ? ORDER BY s.created_at, s.id",
                SandboxState.DELETED.name());
    }

    private List<Sandbox> query(String what, String sql, String parameter) {
        return transactions.run(what, connection -> {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, parameter);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(Row.read(result));
                    }
                }
            }
            String only = rows.size() == 1 ? rows.getFirst().id : null;
            Map<String, Map<String, String>> env = pairs(connection, "SELECT sandbox_id, name, value FROM sandbox_env", only);
            Map<String, Map<String, String>> labels = pairs(connection, "SELECT sandbox_id, label_key, value FROM sandbox_labels", only);
            return rows.stream().map(row -> row.toSandbox(env.getOrDefault(row.id, Map.of()), labels.getOrDefault(row.id, Map.of()))).toList();
        });
    }

    private static void insertPairs(Connection connection, String sql, SandboxId id, Map<String, String> pairs) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Map.Entry<String, String> pair : pairs.entrySet()) {
                statement.setString(1, id.value());
                statement.setString(2, pair.getKey());
                statement.setString(3, pair.getValue());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Records {@code snapshot}'s content unless it is recorded already. */
    static void insertSnapshot(Connection connection, Snapshot snapshot) throws SQLException {
        if (snapshot == null) {
            return;
        }
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM snapshots WHERE id = ?")) {
            exists.setString(1, snapshot.id());
            try (ResultSet result = exists.executeQuery()) {
                if (result.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO snapshots (id, sandbox_id, created_at, size_bytes, checksum) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, snapshot.id());
            insert.setString(2, snapshot.sandbox().value());
            insert.setLong(3, micros(snapshot.createdAt()));
            insert.setLong(4, snapshot.sizeBytes());
            insert.setString(5, snapshot.checksum());
            insert.executeUpdate();
        }
    }

    /** Key/value pairs by sandbox id, of one sandbox ({@code onlyId}) or, if it is null, of all. */
    private static Map<String, Map<String, String>> pairs(Connection connection, String sql, String onlyId) throws SQLException {
        Map<String, Map<String, String>> bySandbox = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(onlyId == null ? sql : sql + " WHERE sandbox_id = ?")) {
            if (onlyId != null) {
                statement.setString(1, onlyId);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    bySandbox.computeIfAbsent(result.getString(1), id -> new HashMap<>()).put(result.getString(2), result.getString(3));
                }
            }
        }
        return bySandbox;
    }

    private static List<String> entries(String joined) {
        return joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /** One row of the sandboxes query, before env and labels are attached. */
    private record Row(String id, String project, String state, String template, long idleTimeoutMs, long hibernateAfterMs, int memoryMb,
                       double cpus, long createdAt, long stateChangedAt, long lastActivityAt, int generation,
                       String failureReason, String allowOut, String denyOut, int diskMb, int maxProcesses, int maxOpenFiles,
                       Snapshot snapshot, Lifecycle lifecycle) {

        static Row read(ResultSet r) throws SQLException {
            String snapshotId = r.getString("snapshot_id");
            Snapshot snapshot = snapshotId == null ? null : new Snapshot(snapshotId, SandboxId.of(r.getString("id")),
                    instant(r.getLong("snapshot_created_at")), r.getLong("size_bytes"), r.getString("checksum"));
            return new Row(r.getString("id"), r.getString("project"), r.getString("state"), r.getString("template"), r.getLong("idle_timeout_ms"),
                    r.getLong("hibernate_after_ms"), r.getInt("memory_mb"), r.getDouble("cpus"), r.getLong("created_at"),
                    r.getLong("state_changed_at"), r.getLong("last_activity_at"), r.getInt("generation"),
                    r.getString("failure_reason"), r.getString("allow_out"), r.getString("deny_out"), r.getInt("disk_mb"),
                    r.getInt("max_processes"), r.getInt("max_open_files"), snapshot,
                    new Lifecycle(Lifecycle.OnIdle.parse(r.getString("on_idle"), "on_idle"), Lifecycle.decodePolicies(r.getString("expiration"))));
        }

        Sandbox toSandbox(Map<String, String> env, Map<String, String> labels) {
            SandboxSpec spec = new SandboxSpec(template, Duration.ofMillis(idleTimeoutMs), Duration.ofMillis(hibernateAfterMs),
                    env, labels, memoryMb, cpus, diskMb, maxProcesses, maxOpenFiles, new NetworkPolicy(entries(allowOut), entries(denyOut)));
            return new Sandbox(SandboxId.of(id), ProjectId.of(project), spec, SandboxState.valueOf(state), instant(createdAt), instant(stateChangedAt),
                    instant(lastActivityAt), generation, snapshot, failureReason, lifecycle);
        }
    }
}
