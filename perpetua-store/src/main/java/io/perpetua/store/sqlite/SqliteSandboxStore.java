package io.perpetua.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.perpetua.access.KeyStore;
import io.perpetua.access.ProjectId;
import io.perpetua.access.PreviewStore;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.metering.Ledger;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.store.PendingOperation;
import io.perpetua.store.SandboxStore;
import io.perpetua.template.Template;
import io.perpetua.volume.Attachment;
import io.perpetua.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The default store: one SQLite file in the data directory, migrated by Flyway on open.
 * Write-ahead logging with full synchronisation: a write is on disk when the call returns,
 * so the snapshot a sandbox points at survives a crash of the daemon or the host.
 */
public final class SqliteSandboxStore implements SandboxStore {

    private final HikariDataSource dataSource;
    private final SandboxTables tables;
    private final KeyTables keys;
    private final PreviewTables previews;
    private final LedgerTables ledger;
    private final OperationTables operations;
    private final AnnotationTables annotations;
    private final SavedSnapshotTables savedSnapshots;
    private final TemplateTables templates;
    private final VolumeTables volumes;

    private SqliteSandboxStore(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        Transactions transactions = new Transactions(dataSource);
        this.tables = new SandboxTables(transactions);
        this.keys = new KeyTables(transactions);
        this.previews = new PreviewTables(transactions);
        this.ledger = new LedgerTables(transactions);
        this.operations = new OperationTables(transactions);
        this.annotations = new AnnotationTables(transactions);
        this.savedSnapshots = new SavedSnapshotTables(transactions);
        this.templates = new TemplateTables(transactions);
        this.volumes = new VolumeTables(transactions);
    }

    /**
     * Opens (creating if needed) the database at {@code file} and brings its schema up to date.
     *
     * @throws RuntimeFailureException if the file cannot be opened or migrated
     */
    public static SqliteSandboxStore open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new RuntimeFailureException("store_failure", "cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
        config.setPoolName("perpetua-store");
        // SQLite takes one writer at a time; a single connection also keeps reads consistent with writes.
        config.setMaximumPoolSize(1);
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "FULL");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("busy_timeout", "10000");
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new RuntimeFailureException("store_failure", "cannot migrate the store at " + file + ": " + e.getMessage(), e);
        }
        return new SqliteSandboxStore(dataSource);
    }

    @Override
    public void insert(Sandbox sandbox) {
        tables.insert(sandbox);
    }

    @Override
    public void update(Sandbox sandbox) {
        tables.update(sandbox);
    }

    @Override
    public Optional<Sandbox> find(SandboxId id) {
        return tables.find(id);
    }

    @Override
    public List<Sandbox> listLive() {
        return tables.listLive();
    }

    @Override
    public void begin(PendingOperation operation) {
        operations.begin(operation);
    }

    @Override
    public void end(SandboxId sandbox) {
        operations.end(sandbox);
    }

    @Override
    public List<PendingOperation> pendingOperations() {
        return operations.pending();
    }

    @Override
    public Map<String, String> annotations(SandboxId sandbox, String namespace) {
        return annotations.of(sandbox, namespace);
    }

    @Override
    public void annotate(SandboxId sandbox, String namespace, Map<String, String> values) {
        annotations.replace(sandbox, namespace, values);
    }

    @Override
    public Map<SandboxId, Map<String, String>> annotated(String namespace) {
        return annotations.annotated(namespace, null);
    }

    @Override
    public void saveSnapshot(SavedSnapshot snapshot) {
        savedSnapshots.save(snapshot);
    }

    @Override
    public Optional<SavedSnapshot> findSnapshot(String id) {
        return savedSnapshots.find(id);
    }

    @Override
    public List<SavedSnapshot> listSnapshots() {
        return savedSnapshots.list();
    }

    @Override
    public void deleteSnapshot(String id, Instant at) {
        savedSnapshots.delete(id, at);
    }

    @Override
    public void insertTemplate(Template template) {
        templates.insert(template);
    }

    @Override
    public void updateTemplate(Template template) {
        templates.update(template);
    }

    @Override
    public Optional<Template> findTemplate(ProjectId project, String name) {
        return templates.find(project, name);
    }

    @Override
    public List<Template> listTemplates() {
        return templates.list();
    }

    @Override
    public void deleteTemplate(String id, Instant at) {
        templates.delete(id, at);
    }

    @Override
    public void insertVolume(Volume volume) {
        volumes.insert(volume);
    }

    @Override
    public Optional<Volume> findVolume(String id) {
        return volumes.find(id);
    }

    @Override
    public List<Volume> listVolumes() {
        return volumes.list();
    }

    @Override
    public void deleteVolume(String id, Instant at) {
        volumes.delete(id, at);
    }

    @Override
    public void insertAttachment(Attachment attachment) {
        volumes.attach(attachment);
    }

    @Override
    public void deleteAttachment(SandboxId sandbox, String volumeId) {
        volumes.detach(sandbox, volumeId);
    }

    @Override
    public List<Attachment> attachmentsOf(SandboxId sandbox) {
        return volumes.attachmentsOf(sandbox);
    }

    @Override
    public List<Attachment> attachmentsTo(String volumeId) {
        return volumes.attachmentsTo(volumeId);
    }

    /** The API keys, in the same database. */
    public KeyStore keys() {
        return keys;
    }

    /** The previews, in the same database. */
    public PreviewStore previews() {
        return previews;
    }

    /** The usage ledger, in the same database. */
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
