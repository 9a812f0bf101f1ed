package io.perpetua.store.sqlite;

import io.perpetua.access.ProjectId;
import io.perpetua.template.Template;
import io.perpetua.template.TemplateRecipe;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Templates with their recipes: the row, its commands and its environment. */
final class TemplateTables {

    private static final String SELECT = """
            SELECT id, name, project, state, from_template, ready_command, ready_timeout_ms, setup_timeout_ms, memory_mb, cpus,
                disk_mb, snapshot_id, created_at, state_changed_at, failure_reason, build_log, image_root
            FROM templates WHERE deleted_at IS NULL""";

    private final Transactions transactions;

    TemplateTables(Transactions transactions) {
        this.transactions = transactions;
    }

    /** Records a new template, recipe and all; fails if the project has a live one of that name. */
    void insert(Template template) {
        transactions.execute("insert template " + template.name(), connection -> {
            try (PreparedStatement row = connection.prepareStatement("""
                    INSERT INTO templates (id, name, project, state, from_template, ready_command, ready_timeout_ms, setup_timeout_ms,
                        memory_mb, cpus, disk_mb, snapshot_id, created_at, state_changed_at, failure_reason, build_log, image_root)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                TemplateRecipe recipe = template.recipe();
                row.setString(1, template.id());
                row.setString(2, template.name());
                row.setString(3, template.project().value());
                row.setString(4, template.state().name());
                row.setString(5, recipe.from());
                row.setString(6, recipe.ready());
                row.setLong(7, recipe.readyTimeout().toMillis());
                row.setLong(8, recipe.setupTimeout().toMillis());
                setNullable(row, 9, recipe.memoryMb(), Types.INTEGER);
                setNullable(row, 10, recipe.cpus(), Types.DOUBLE);
                setNullable(row, 11, recipe.diskMb(), Types.INTEGER);
                row.setString(12, template.snapshotId());
                row.setLong(13, SandboxTables.micros(template.createdAt()));
                row.setLong(14, SandboxTables.micros(template.stateChangedAt()));
                row.setString(15, template.failureReason());
                row.setString(16, template.buildLog());
                row.setString(17, template.image());
                row.executeUpdate();
            }
            insertCommands(connection, template.id(), "setup", template.recipe().setup());
            insertCommands(connection, template.id(), "start", template.recipe().start());
            try (PreparedStatement env = connection.prepareStatement("INSERT INTO template_env (template_id, name, value) VALUES (?, ?, ?)")) {
                for (Map.Entry<String, String> variable : template.recipe().env().entrySet()) {
                    env.setString(1, template.id());
                    env.setString(2, variable.getKey());
                    env.setString(3, variable.getValue());
                    env.addBatch();
                }
                env.executeBatch();
            }
        });
    }

    /** Records a template's new state, snapshot, failure and log. */
    void update(Template template) {
        transactions.execute("update template " + template.name(), connection -> {
            try (PreparedStatement row = connection.prepareStatement("""
                    UPDATE templates SET state = ?, snapshot_id = ?, state_changed_at = ?, failure_reason = ?, build_log = ?
                    WHERE id = ?""")) {
                row.setString(1, template.state().name());
                row.setString(2, template.snapshotId());
                row.setLong(3, SandboxTables.micros(template.stateChangedAt()));
                row.setString(4, template.failureReason());
                row.setString(5, template.buildLog());
                row.setString(6, template.id());
                if (row.executeUpdate() != 1) {
                    throw new SQLException("no template row with id " + template.id());
                }
            }
        });
    }

    Optional<Template> find(ProjectId project, String name) {
        return query("find template " + name, SELECT + " AND project = ? AND name = ?", project.value(), name).stream().findFirst();
    }

    List<Template> list() {
        return query("list templates", SELECT + " ORDER BY created_at, id");
    }

    void delete(String id, Instant at) {
        transactions.execute("delete template " + id, connection -> {
            try (PreparedStatement row = connection.prepareStatement("UPDATE templates SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")) {
                row.setLong(1, SandboxTables.micros(at));
                row.setString(2, id);
                row.executeUpdate();
            }
        });
    }

    private static void insertCommands(Connection connection, String id, String kind, List<String> commands) throws SQLException {
        try (PreparedStatement row = connection.prepareStatement(
                "INSERT INTO template_commands (template_id, kind, position, command) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < commands.size(); i++) {
                row.setString(1, id);
                row.setString(2, kind);
                row.setInt(3, i);
                row.setString(4, commands.get(i));
                row.addBatch();
            }
            row.executeBatch();
        }
    }

    private List<Template> query(String what, String sql, String... parameters) {
        return transactions.run(what, connection -> {
            List<Template> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    statement.setString(i + 1, parameters[i]);
                }
                try (ResultSet r = statement.executeQuery()) {
                    while (r.next()) {
                        found.add(read(connection, r));
                    }
                }
            }
            return found;
        });
    }

    private static Template read(Connection connection, ResultSet r) throws SQLException {
        String id = r.getString("id");
        Map<String, List<String>> commands = commands(connection, id);
        TemplateRecipe recipe = new TemplateRecipe(r.getString("from_template"), commands.getOrDefault("setup", List.of()),
                env(connection, id), commands.getOrDefault("start", List.of()), r.getString("ready_command"),
                Duration.ofMillis(r.getLong("ready_timeout_ms")), Duration.ofMillis(r.getLong("setup_timeout_ms")),
                nullableInt(r, "memory_mb"), nullableDouble(r, "cpus"), nullableInt(r, "disk_mb"));
        return new Template(id, r.getString("name"), ProjectId.of(r.getString("project")), recipe, r.getString("image_root"),
                Template.State.valueOf(r.getString("state")),
                r.getString("snapshot_id"), SandboxTables.instant(r.getLong("created_at")), SandboxTables.instant(r.getLong("state_changed_at")),
                r.getString("failure_reason"), r.getString("build_log"));
    }

    private static Map<String, List<String>> commands(Connection connection, String id) throws SQLException {
        Map<String, List<String>> byKind = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT kind, command FROM template_commands WHERE template_id = ? ORDER BY kind, position")) {
            query.setString(1, id);
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    byKind.computeIfAbsent(r.getString("kind"), kind -> new ArrayList<>()).add(r.getString("command"));
                }
            }
        }
        return byKind;
    }

    private static Map<String, String> env(Connection connection, String id) throws SQLException {
        Map<String, String> env = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT name, value FROM template_env WHERE template_id = ? ORDER BY name")) {
            query.setString(1, id);
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    env.put(r.getString("name"), r.getString("value"));
                }
            }
        }
        return env;
    }

    private static void setNullable(PreparedStatement row, int index, Object value, int type) throws SQLException {
        if (value == null) {
            row.setNull(index, type);
        } else {
            row.setObject(index, value, type);
        }
    }

    private static Integer nullableInt(ResultSet r, String column) throws SQLException {
        int value = r.getInt(column);
        return r.wasNull() ? null : value;
    }

    private static Double nullableDouble(ResultSet r, String column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? null : value;
    }
}
