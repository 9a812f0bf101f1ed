package io.perpetua.store.sqlite;

import io.perpetua.access.ApiKey;
import io.perpetua.access.KeyStore;
import io.perpetua.access.ProjectId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** API keys in the store: their public part and the hash of their secret. */
final class KeyTables implements KeyStore {

    private final Transactions transactions;

    KeyTables(Transactions transactions) {
        this.transactions = transactions;
    }

    @Override
    public void insert(HashedKey hashed) {
        ApiKey key = hashed.key();
        transactions.execute("insert API key " + key.id(), connection -> {
            try (PreparedStatement row = connection.prepareStatement("""
                    INSERT INTO api_keys (id, project, name, admin, secret_hash, created_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                row.setString(1, key.id());
                row.setString(2, key.project().value());
                row.setString(3, key.name());
                row.setBoolean(4, key.admin());
                row.setString(5, hashed.secretHash());
                row.setLong(6, SandboxTables.micros(key.createdAt()));
                if (key.revokedAt() == null) {
                    row.setNull(7, java.sql.Types.BIGINT);
                } else {
                    row.setLong(7, SandboxTables.micros(key.revokedAt()));
                }
                row.executeUpdate();
            }
        });
    }

    @Override
    public boolean revoke(String id, Instant at) {
        return transactions.run("revoke API key " + id, connection -> {
            try (PreparedStatement row = connection.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                row.setLong(1, SandboxTables.micros(at));
                row.setString(2, id);
                return row.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<HashedKey> all() {
        return transactions.run("list API keys", connection -> {
            List<HashedKey> keys = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT id, project, name, admin, secret_hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id");
                 ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    long revokedAt = r.getLong("revoked_at");
                    Instant revoked = r.wasNull() ? null : SandboxTables.instant(revokedAt);
                    ApiKey key = new ApiKey(r.getString("id"), ProjectId.of(r.getString("project")), r.getString("name"),
                            r.getBoolean("admin"), SandboxTables.instant(r.getLong("created_at")), revoked);
                    keys.add(new HashedKey(key, r.getString("secret_hash")));
                }
            }
            return keys;
        });
    }
}
