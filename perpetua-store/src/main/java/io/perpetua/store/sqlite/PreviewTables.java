package io.perpetua.store.sqlite;

import io.perpetua.access.Preview;
import io.perpetua.access.PreviewStore;
import io.perpetua.sandbox.SandboxId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Previews in the store: their public part and the hash of their token. */
final class PreviewTables implements PreviewStore {

    private final Transactions transactions;

    PreviewTables(Transactions transactions) {
        this.transactions = transactions;
    }

    @Override
    public void insert(HashedPreview hashed) {
        Preview preview = hashed.preview();
        transactions.execute("insert preview " + preview.id(), connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO previews (id, sandbox_id, port, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                row.setString(1, preview.id());
                row.setString(2, preview.sandbox().value());
                row.setInt(3, preview.port());
                row.setString(4, hashed.tokenHash());
                row.setLong(5, SandboxTables.micros(preview.createdAt()));
                row.setNull(6, Types.BIGINT);
                row.executeUpdate();
            }
        });
    }

    @Override
    public boolean revoke(String id, Instant at) {
        return transactions.run("revoke preview " + id, connection -> {
            try (PreparedStatement row = connection.prepareStatement("UPDATE previews SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                row.setLong(1, SandboxTables.micros(at));
                row.setString(2, id);
                return row.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<HashedPreview> all() {
        return transactions.run("list previews", connection -> {
            List<HashedPreview> previews = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT id, sandbox_id, port, token_hash, created_at, revoked_at FROM previews ORDER BY created_at, id");
                 ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    long revokedAt = r.getLong("revoked_at");
                    Instant revoked = r.wasNull() ? null : SandboxTables.instant(revokedAt);
                    Preview preview = new Preview(r.getString("id"), SandboxId.of(r.getString("sandbox_id")), r.getInt("port"),
                            SandboxTables.instant(r.getLong("created_at")), revoked);
                    previews.add(new HashedPreview(preview, r.getString("token_hash")));
                }
            }
            return previews;
        });
    }
}
