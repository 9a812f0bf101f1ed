package io.perpetua.store.sqlite;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.volume.Attachment;
import io.perpetua.volume.Volume;
import io.perpetua.volume.VolumeMount;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Volumes and drives, and the sandboxes that mount them. */
final class VolumeTables {

    private static final String SELECT = "SELECT id, name, project, kind, size_mb, created_at FROM volumes WHERE deleted_at IS NULL";
    private static final String SELECT_MOUNTS = "SELECT sandbox_id, volume_id, mount_path, read_only, attached_at FROM volume_mounts";

    private final Transactions transactions;

    VolumeTables(Transactions transactions) {
        this.transactions = transactions;
    }

    void insert(Volume volume) {
        transactions.execute("insert volume " + volume.name(), connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO volumes (id, name, project, kind, size_mb, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                row.setString(1, volume.id());
                row.setString(2, volume.name());
                row.setString(3, volume.project().value());
                row.setString(4, volume.kind().name());
                row.setInt(5, volume.sizeMb());
                row.setLong(6, SandboxTables.micros(volume.createdAt()));
                row.executeUpdate();
            }
        });
    }

    Optional<Volume> find(String id) {
        return query("find volume " + id, SELECT + " AND id = ?", id, VolumeTables::readVolume).stream().findFirst();
    }

    List<Volume> list() {
        return query("list volumes", SELECT + " ORDER BY created_at, id", null, VolumeTables::readVolume);
    }

    void delete(String id, Instant at) {
        transactions.execute("delete volume " + id, connection -> {
            try (PreparedStatement row = connection.prepareStatement("UPDATE volumes SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")) {
                row.setLong(1, SandboxTables.micros(at));
                row.setString(2, id);
                row.executeUpdate();
            }
        });
    }

    void attach(Attachment attachment) {
        transactions.execute("record the mount of " + attachment.mount().volumeId() + " in " + attachment.sandbox(), connection -> {
            try (PreparedStatement row = connection.prepareStatement(
                    "INSERT INTO volume_mounts (sandbox_id, volume_id, mount_path, read_only, attached_at) VALUES (?, ?, ?, ?, ?)")) {
                row.setString(1, attachment.sandbox().value());
                row.setString(2, attachment.mount().volumeId());
                row.setString(3, attachment.mount().mountPath());
                row.setBoolean(4, attachment.mount().readOnly());
                row.setLong(5, SandboxTables.micros(attachment.attachedAt()));
                row.executeUpdate();
            }
        });
    }

    void detach(SandboxId sandbox, String volumeId) {
        transactions.execute("forget the mount of " + volumeId + " in " + sandbox, connection -> {
            try (PreparedStatement row = connection.prepareStatement("DELETE FROM volume_mounts WHERE sandbox_id = ? AND volume_id = ?")) {
                row.setString(1, sandbox.value());
                row.setString(2, volumeId);
                row.executeUpdate();
            }
        });
    }

    List<Attachment> attachmentsOf(SandboxId sandbox) {
        return query("list the mounts of " + sandbox, SELECT_MOUNTS + " WHERE sandbox_id = ? ORDER BY attached_at, volume_id",
                sandbox.value(), VolumeTables::readAttachment);
    }

    List<Attachment> attachmentsTo(String volumeId) {
        return query("list the mounts of " + volumeId, SELECT_MOUNTS + " WHERE volume_id = ? ORDER BY attached_at, sandbox_id",
                volumeId, VolumeTables::readAttachment);
    }

    private interface Reader<T> {
        T read(ResultSet r) throws SQLException;
    }

    private <T> List<T> query(String what, String sql, String parameter, Reader<T> reader) {
        return transactions.run(what, connection -> {
            List<T> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                if (parameter != null) {
                    statement.setString(1, parameter);
                }
                try (ResultSet r = statement.executeQuery()) {
                    while (r.next()) {
                        found.add(reader.read(r));
                    }
                }
            }
            return found;
        });
    }

    private static Volume readVolume(ResultSet r) throws SQLException {
        return new Volume(r.getString("id"), r.getString("name"), ProjectId.of(r.getString("project")),
                Volume.Kind.valueOf(r.getString("kind")), r.getInt("size_mb"), SandboxTables.instant(r.getLong("created_at")));
    }

    private static Attachment readAttachment(ResultSet r) throws SQLException {
        return new Attachment(SandboxId.of(r.getString("sandbox_id")),
                new VolumeMount(r.getString("volume_id"), r.getString("mount_path"), r.getBoolean("read_only")),
                SandboxTables.instant(r.getLong("attached_at")));
    }
}
