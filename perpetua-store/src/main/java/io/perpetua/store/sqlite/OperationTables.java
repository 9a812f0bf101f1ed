package io.perpetua.store.sqlite;

import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.store.PendingOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The operations begun and not ended, one row per sandbox at most. */
final class OperationTables {

    private final Transactions transactions;

    OperationTables(Transactions transactions) {
        this.transactions = transactions;
    }

    void begin(PendingOperation operation) {
        transactions.execute("record the " + operation.kind() + " of sandbox " + operation.sandbox(), connection -> {
            delete(connection, operation.sandbox());
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO pending_operations (sandbox_id, kind, from_state, snapshot_id, started_at) VALUES (?, ?, ?, ?, ?)")) {
                row.setString(1, operation.sandbox().value());
                row.setString(2, operation.kind().name());
                row.setString(3, operation.from().name());
                row.setString(4, operation.snapshotId());
                row.setLong(5, SandboxTables.micros(operation.startedAt()));
                row.executeUpdate();
            }
        });
    }

    void end(SandboxId sandbox) {
        transactions.execute("end the operation on sandbox " + sandbox, connection -> delete(connection, sandbox));
    }

    List<PendingOperation> pending() {
        return transactions.run("list pending operations", connection -> {
            List<PendingOperation> operations = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT sandbox_id, kind, from_state, snapshot_id, started_at FROM pending_operations ORDER BY started_at, sandbox_id");
                 ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    operations.add(new PendingOperation(SandboxId.of(r.getString("sandbox_id")),
                            PendingOperation.Kind.valueOf(r.getString("kind")), SandboxState.valueOf(r.getString("from_state")),
                            r.getString("snapshot_id"), SandboxTables.instant(r.getLong("started_at"))));
                }
            }
            return operations;
        });
    }

    private static void delete(Connection connection, SandboxId sandbox) throws SQLException {
        try (PreparedStatement row = connection.prepareStatement("DELETE FROM pending_operations WHERE sandbox_id = ?")) {
            row.setString(1, sandbox.value());
            row.executeUpdate();
        }
    }
}
