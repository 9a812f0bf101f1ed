package io.perpetua.store;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.template.Template;
import io.perpetua.volume.Attachment;
import io.perpetua.volume.Volume;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable metadata of every sandbox, including deleted ones (kept for audit and metering).
 * Each write is atomic and durable when the method returns.
 */
public interface SandboxStore extends AutoCloseable {

    /** Records a new sandbox. */
    void insert(Sandbox sandbox);

    /** Replaces the record of an existing sandbox, including its snapshot reference. */
    void update(Sandbox sandbox);

    /** The sandbox with {@code id}, in whatever state, deleted ones included. */
    Optional<Sandbox> find(SandboxId id);

    /** Every sandbox that is not deleted, oldest first. */
    List<Sandbox> listLive();

    /** Records that {@code operation} begins, replacing any earlier one of the same sandbox. */
    void begin(PendingOperation operation);

    /** Records that the operation on {@code sandbox} ended (completed or undone); nothing if none is recorded. */
    void end(SandboxId sandbox);

    /** Every operation begun and not ended: after a crash, what recovery has to finish. */
    List<PendingOperation> pendingOperations();

    /**
     * What an adapter at the edge (the E2B API, say) keeps about a sandbox, under a namespace of
     * its own; the engine never reads it. Empty if nothing was kept.
     */
    Map<String, String> annotations(SandboxId sandbox, String namespace);

    /** Replaces what is kept about {@code sandbox} under {@code namespace}; an empty map removes it. */
    void annotate(SandboxId sandbox, String namespace, Map<String, String> values);

    /** Every sandbox's annotations under {@code namespace}, for the sandboxes that have some. */
    Map<SandboxId, Map<String, String>> annotated(String namespace);

    /** Records a saved snapshot, whose content is sealed already. */
    void saveSnapshot(SavedSnapshot snapshot);

    /** The saved snapshot {@code id}, unless there is none or it was deleted. */
    Optional<SavedSnapshot> findSnapshot(String id);

    /** Every saved snapshot not deleted, of every project, oldest first. */
    List<SavedSnapshot> listSnapshots();

    /** Records that saved snapshot {@code id} was deleted at {@code at}; only then may its content go. */
    void deleteSnapshot(String id, Instant at);

    /** Records a new template; its name is free in its project (the caller made sure). */
    void insertTemplate(Template template);

    /** Records a template's new state. */
    void updateTemplate(Template template);

    /** The live template {@code name} of {@code project}. */
    Optional<Template> findTemplate(ProjectId project, String name);

    /** Every live template, of every project, oldest first. */
    List<Template> listTemplates();

    /** Records that template {@code id} was deleted at {@code at}; its name is free again. */
    void deleteTemplate(String id, Instant at);

    /** Records a new volume or drive; its name is free among its kind in its project (the caller made sure). */
    void insertVolume(Volume volume);

    /** The live volume or drive {@code id}. */
    Optional<Volume> findVolume(String id);

    /** Every live volume and drive, of every project, oldest first. */
    List<Volume> listVolumes();

    /** Records that volume {@code id} was deleted at {@code at}; its name is free again, and only now may its files go. */
    void deleteVolume(String id, Instant at);

    /** Records that a volume is mounted into a sandbox. */
    void insertAttachment(Attachment attachment);

    /** Forgets that volume {@code volumeId} is mounted into {@code sandbox}; nothing if it is not recorded. */
    void deleteAttachment(SandboxId sandbox, String volumeId);

    /** The volumes mounted into {@code sandbox}, first mounted first, whatever its state. */
    List<Attachment> attachmentsOf(SandboxId sandbox);

    /** The sandboxes, deleted ones included, that mount volume {@code volumeId}. */
    List<Attachment> attachmentsTo(String volumeId);

    /** Releases connections. Idempotent. */
    @Override
    void close();
}
