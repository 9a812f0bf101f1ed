package io.perpetua.store.sqlite;

import io.perpetua.sandbox.SandboxId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Adapters' name/value pairs about sandboxes, by namespace. */
final class AnnotationTables {

    private final Transactions transactions;

    AnnotationTables(Transactions transactions) {
        this.transactions = transactions;
    }

    Map<String, String> of(SandboxId sandbox, String namespace) {
        return annotated(namespace, sandbox).getOrDefault(sandbox, Map.of());
    }

    void replace(SandboxId sandbox, String namespace, Map<String, String> values) {
        transactions.execute("annotate sandbox " + sandbox, connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM annotations WHERE sandbox_id = ? AND namespace = ?")) {
                delete.setString(1, sandbox.value());
                delete.setString(2, namespace);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO annotations (sandbox_id, namespace, name, value) VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<String, String> value : values.entrySet()) {
                    insert.setString(1, sandbox.value());
                    insert.setString(2, namespace);
                    insert.setString(3, value.getKey());
                    insert.setString(4, value.getValue());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    /** The annotations under {@code namespace}, of one sandbox ({@code only}) or, if it is null, of all. */
    Map<SandboxId, Map<String, String>> annotated(String namespace, SandboxId only) {
        return transactions.run("read annotations " + namespace, connection -> {
            String sql = "SELECT sandbox_id, name, value FROM annotations WHERE namespace = ?" + (only == null ? "" : " AND sandbox_id = ?")
                    + " ORDER BY sandbox_id, name";
            Map<SandboxId, Map<String, String>> found = new LinkedHashMap<>();
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setString(1, namespace);
                if (only != null) {
                    query.setString(2, only.value());
                }
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        found.computeIfAbsent(SandboxId.of(r.getString(1)), id -> new LinkedHashMap<>()).put(r.getString(2), r.getString(3));
                    }
                }
            }
            return found;
        });
    }
}
