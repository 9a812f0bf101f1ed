package io.perpetua.store.sqlite;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.Snapshot;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The snapshots users asked for, with their content's row in snapshots. */
final class SavedSnapshotTables {

    private static final String SELECT = """
            SELECT p.id, p.sandbox_id, p.created_at, p.size_bytes, p.checksum, k.project, k.name
            FROM saved_snapshots k JOIN snapshots p ON p.id = k.id WHERE k.deleted_at IS NULL""";

    private final Transactions transactions;

    SavedSnapshotTables(Transactions transactions) {
        this.transactions = transactions;
    }

    void save(SavedSnapshot snapshot) {
        transactions.execute("save snapshot " + snapshot.id(), connection -> {
            SandboxTables.insertSnapshot(connection, snapshot.content());
            try (PreparedStatement row = connection.prepareStatement("INSERT INTO saved_snapshots (id, project, name) VALUES (?, ?, ?)")) {
                row.setString(1, snapshot.id());
                row.setString(2, snapshot.project().value());
                row.setString(3, snapshot.name());
                row.executeUpdate();
            }
        });
    }

    Optional<SavedSnapshot> find(String id) {
        return query("find snapshot " + id, SELECT + " AND k.id = ?", id).stream().findFirst();
    }

    List<SavedSnapshot> list() {
        return query("list snapshots", SELECT + " ORDER BY p.created_at, p.id", null);
    }

    void delete(String id, Instant at) {
        transactions.execute("delete snapshot " + id, connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "UPDATE saved_snapshots SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")) {
                row.setLong(1, SandboxTables.micros(at));
                row.setString(2, id);
                row.executeUpdate();
            }
        });
    }

    private List<SavedSnapshot> query(String what, String sql, String parameter) {
        return transactions.run(what, connection -> {
            List<SavedSnapshot> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                if (parameter != null) {
                    statement.setString(1, parameter);
                }
                try (ResultSet r = statement.executeQuery()) {
                    while (r.next()) {
                        found.add(read(r));
                    }
                }
            }
            return found;
        });
    }

    private static SavedSnapshot read(ResultSet r) throws SQLException {
        Snapshot content = new Snapshot(r.getString("id"), SandboxId.of(r.getString("sandbox_id")),
                SandboxTables.instant(r.getLong("created_at")), r.getLong("size_bytes"), r.getString("checksum"));
        return new SavedSnapshot(content, ProjectId.of(r.getString("project")), r.getString("name"));
    }
}
