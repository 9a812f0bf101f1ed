package io.perpetua.lifecycle;

import io.perpetua.access.ProjectId;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.store.PendingOperation;
import io.perpetua.store.SandboxStore;
import io.perpetua.template.Template;
import io.perpetua.volume.Attachment;
import io.perpetua.volume.Volume;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A store in a map, failing like a real one: a duplicate insert or an update of an unknown id throws. */
final class InMemoryStore implements SandboxStore {

    private final Map<SandboxId, Sandbox> rows = new LinkedHashMap<>();
    private final Map<SandboxId, PendingOperation> operations = new LinkedHashMap<>();
    private final Map<String, Map<SandboxId, Map<String, String>>> annotations = new LinkedHashMap<>();
    private final Map<String, SavedSnapshot> savedSnapshots = new LinkedHashMap<>();
    private final Map<String, Template> templates = new LinkedHashMap<>();
    private final Map<String, Volume> volumes = new LinkedHashMap<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private int updates;

    @Override
    public synchronized void insert(Sandbox sandbox) {
        if (rows.putIfAbsent(sandbox.id(), sandbox) != null) {
            throw new RuntimeFailureException("store_failure", "sandbox " + sandbox.id() + " already exists", null);
        }
    }

    @Override
    public synchronized void update(Sandbox sandbox) {
        if (rows.replace(sandbox.id(), sandbox) == null) {
            throw new RuntimeFailureException("store_failure", "no sandbox row with id " + sandbox.id(), null);
        }
        updates++;
    }

    @Override
    public synchronized Optional<Sandbox> find(SandboxId id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized List<Sandbox> listLive() {
        return rows.values().stream()
                .filter(s -> s.state() != SandboxState.DELETED)
                .sorted(Comparator.comparing(Sandbox::createdAt).thenComparing(s -> s.id().value()))
                .toList();
    }

    @Override
    public synchronized void begin(PendingOperation operation) {
        if (!rows.containsKey(operation.sandbox())) {
            throw new RuntimeFailureException("store_failure", "no sandbox row with id " + operation.sandbox(), null);
        }
        operations.put(operation.sandbox(), operation);
    }

    @Override
    public synchronized void end(SandboxId sandbox) {
        operations.remove(sandbox);
    }

    @Override
    public synchronized List<PendingOperation> pendingOperations() {
        return List.copyOf(operations.values());
    }

    @Override
    public synchronized void saveSnapshot(SavedSnapshot snapshot) {
        if (savedSnapshots.putIfAbsent(snapshot.id(), snapshot) != null) {
            throw new RuntimeFailureException("store_failure", "snapshot " + snapshot.id() + " already exists", null);
        }
    }

    @Override
    public synchronized Optional<SavedSnapshot> findSnapshot(String id) {
        return Optional.ofNullable(savedSnapshots.get(id));
    }

    @Override
    public synchronized List<SavedSnapshot> listSnapshots() {
        return List.copyOf(savedSnapshots.values());
    }

    @Override
    public synchronized void deleteSnapshot(String id, Instant at) {
        savedSnapshots.remove(id);
    }

    @Override
    public synchronized void insertTemplate(Template template) {
        templates.put(template.id(), template);
    }

    @Override
    public synchronized void updateTemplate(Template template) {
        templates.replace(template.id(), template);
    }

    @Override
    public synchronized Optional<Template> findTemplate(ProjectId project, String name) {
        return templates.values().stream().filter(t -> t.project().equals(project) && t.name().equals(name)).findFirst();
    }

    @Override
    public synchronized List<Template> listTemplates() {
        return List.copyOf(templates.values());
    }

    @Override
    public synchronized void deleteTemplate(String id, Instant at) {
        templates.remove(id);
    }

    @Override
    public synchronized Map<String, String> annotations(SandboxId sandbox, String namespace) {
        return annotated(namespace).getOrDefault(sandbox, Map.of());
    }

    @Override
    public synchronized void annotate(SandboxId sandbox, String namespace, Map<String, String> values) {
        Map<SandboxId, Map<String, String>> space = annotations.computeIfAbsent(namespace, n -> new LinkedHashMap<>());
        if (values.isEmpty()) {
            space.remove(sandbox);
        } else {
            space.put(sandbox, Map.copyOf(values));
        }
    }

    @Override
    public synchronized Map<SandboxId, Map<String, String>> annotated(String namespace) {
        return Map.copyOf(annotations.getOrDefault(namespace, Map.of()));
    }

    /** The stored record of {@code id}, which must exist. */
    synchronized Sandbox row(SandboxId id) {
        Sandbox s = rows.get(id);
        if (s == null) {
            throw new AssertionError("the store has no sandbox " + id);
        }
        return s;
    }

    synchronized int updates() {
        return updates;
    }

    @Override
    public void close() {
    }

    @Override
    public synchronized void insertVolume(Volume volume) {
        volumes.put(volume.id(), volume);
    }

    @Override
    public synchronized Optional<Volume> findVolume(String id) {
        return Optional.ofNullable(volumes.get(id));
    }

    @Override
    public synchronized List<Volume> listVolumes() {
        return List.copyOf(volumes.values());
    }

    @Override
    public synchronized void deleteVolume(String id, Instant at) {
        volumes.remove(id);
    }

    @Override
    public synchronized void insertAttachment(Attachment attachment) {
        attachments.add(attachment);
    }

    @Override
    public synchronized void deleteAttachment(SandboxId sandbox, String volumeId) {
        attachments.removeIf(a -> a.sandbox().equals(sandbox) && a.mount().volumeId().equals(volumeId));
    }

    @Override
    public synchronized List<Attachment> attachmentsOf(SandboxId sandbox) {
        return attachments.stream().filter(a -> a.sandbox().equals(sandbox)).toList();
    }

    @Override
    public synchronized List<Attachment> attachmentsTo(String volumeId) {
        return attachments.stream().filter(a -> a.mount().volumeId().equals(volumeId)).toList();
    }
}
