package io.perpetua.volume;

import io.perpetua.access.ProjectId;
import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.QuotaExceededException;
import io.perpetua.id.RandomIds;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.store.SandboxStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes and drives of every project, and which sandboxes mount them. Making, deleting
 * and claiming one for a sandbox are serialised here, so that two sandboxes never both get
 * write access to one volume and a volume is never deleted while a sandbox is given it.
 *
 * <p>Each change is ordered so that a crash between its steps leaves something {@link #recover}
 * sweeps: a disk is made before the store records it and deleted after the store forgets it;
 * a mount is recorded before it is made, and forgotten at recovery if the runtime did not finish it.
 */
public final class Volumes {

    private static final Logger log = LoggerFactory.getLogger(Volumes.class);
    private static final int ID_CHARACTERS = 13;
    /** The most live volumes and drives a project may have, together. */
    public static final int MAX_PER_PROJECT = 100;

    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final Clock clock;
    /**
     * The mounts of each sandbox asked about, read from the store once: every view of a sandbox
     * shows them, so a list of sandboxes would otherwise query the store once per sandbox. Kept in
     * step by claim, release and recover, the only writers, under this object's lock.
     */
    private final Map<SandboxId, List<VolumeMount>> mounts = new HashMap<>();

    public Volumes(SandboxRuntime runtime, SandboxStore store, Clock clock) {
        this.runtime = runtime;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Makes an empty volume or drive of {@code sizeMb} MiB.
     *
     * @throws InvalidInputException if the name or size is malformed
     * @throws ConflictException     with code {@code volume_exists} if the project has a live one of that kind and name
     * @throws QuotaExceededException with code {@code project_volume_limit} if it has {@value #MAX_PER_PROJECT} already
     */
    public synchronized Volume create(ProjectId project, Volume.Kind kind, String name, int sizeMb) {
        Volume volume = new Volume(RandomIds.next(kind.prefix(), ID_CHARACTERS), name, project, kind, sizeMb, clock.instant());
        if (find(project, kind, name) != null) {
            throw new ConflictException(kind.word() + "_exists", "a " + kind.word() + " named " + name + " exists already in this project");
        }
        long held = store.listVolumes().stream().filter(v -> v.project().equals(project)).count();
        if (held >= MAX_PER_PROJECT) {
            throw new QuotaExceededException("project_volume_limit", "the project has " + held + " volumes and drives, the most it may have;"
                    + " delete one first");
        }
        runtime.createVolume(volume.id(), sizeMb);
        CrashPoint.VOLUME_MADE.reach();
        try {
            store.insertVolume(volume);
        } catch (RuntimeException e) {
            runtime.deleteVolume(volume.id());
            throw e;
        }
        log.info("{} {} ({}) made, {} MiB", kind.word(), volume.id(), name, sizeMb);
        return volume;
    }

    /** The project's live volumes or drives, oldest first. */
    public List<Volume> list(ProjectId project, Volume.Kind kind) {
        return store.listVolumes().stream().filter(v -> v.project().equals(project) && v.kind() == kind).toList();
    }

    /**
     * The project's live volume or drive with id or name {@code reference}.
     *
     * @throws NotFoundException with code {@code volume_not_found} or {@code drive_not_found}
     */
    public Volume get(ProjectId project, Volume.Kind kind, String reference) {
        Volume found = find(project, kind, reference);
        if (found == null) {
            throw new NotFoundException(kind.word() + "_not_found", "no " + kind.word() + " '" + reference + "' in this project");
        }
        return found;
    }

    private Volume find(ProjectId project, Volume.Kind kind, String reference) {
        return list(project, kind).stream()
                .filter(v -> v.id().equals(reference) || (!Volume.isId(reference) && v.name().equals(reference)))
                .findFirst().orElse(null);
    }

    /** The live volume or drive {@code id}, of whatever project. */
    public Optional<Volume> find(String id) {
        return store.findVolume(id);
    }

    /** The live sandboxes that mount volume {@code volumeId}, with how. */
    public List<Attachment> holders(String volumeId) {
        return store.attachmentsTo(volumeId).stream().filter(this::isLive).toList();
    }

    /** The volumes mounted into {@code sandbox}, first mounted first. */
    public synchronized List<VolumeMount> mountsOf(SandboxId sandbox) {
        return mounts.computeIfAbsent(sandbox, id -> store.attachmentsOf(id).stream().map(Attachment::mount).toList());
    }

    /** Drops what is remembered of a deleted sandbox's mounts (the store keeps them as history). */
    public synchronized void forget(SandboxId sandbox) {
        mounts.remove(sandbox);
    }

    /** Bytes the volume takes on the host's disk: what was written to it. */
    public long storedBytes(Volume volume) {
        return runtime.volumeBytes(volume.id());
    }

    /**
     * Deletes a volume or drive and every file in it.
     *
     * @throws NotFoundException if the project has none of that reference
     * @throws ConflictException with code {@code volume_in_use} if a live sandbox mounts it
     */
    public synchronized void delete(ProjectId project, Volume.Kind kind, String reference) {
        Volume volume = get(project, kind, reference);
        List<Attachment> holders = holders(volume.id());
        if (!holders.isEmpty()) {
            throw new ConflictException("volume_in_use", kind.word() + " " + volume.name() + " is mounted in sandbox "
                    + holders.stream().map(a -> a.sandbox().value()).collect(Collectors.joining(", "))
                    + "; delete those sandboxes first (a mount lasts as long as its sandbox)");
        }
        store.deleteVolume(volume.id(), clock.instant());
        CrashPoint.VOLUME_FORGOTTEN.reach();
        runtime.deleteVolume(volume.id());
        log.info("{} {} ({}) deleted", kind.word(), volume.id(), volume.name());
    }

    /**
     * The mount of the project's volume or drive {@code reference} at {@code mountPath}.
     *
     * @throws InvalidInputException naming {@code field} if there is no such volume (or naming {@code mountPath} if it is not one a mount may take)
     */
    public VolumeMount resolve(ProjectId project, Volume.Kind kind, String field, String reference, String mountPath, boolean readOnly) {
        InvalidInputException.check(reference != null && !reference.isBlank(), field, field + " is required: the id or name of a " + kind.word());
        Volume volume = find(project, kind, reference);
        InvalidInputException.check(volume != null, field, "no " + kind.word() + " '" + reference + "' in this project; make it first with POST /v1/"
                + kind.word() + "s");
        return new VolumeMount(volume.id(), mountPath, readOnly);
    }

    /**
     * Checks, before a sandbox is made, that {@code mounts} fit together and that each can be
     * had now; {@link #claim} checks again when it takes them.
     *
     * @throws InvalidInputException if two share a path or one is inside another
     * @throws ConflictException     with code {@code volume_in_use} if a volume one writes is written by a sandbox already
     */
    public void check(List<VolumeMount> mounts) {
        VolumeMount.checkTogether(mounts);
        mounts.forEach(mount -> requireFree(null, mount));
    }

    /**
     * Records that {@code sandbox} (in the store already) mounts {@code mounts}, after checking
     * them against what it mounts already and against every other sandbox.
     *
     * @throws InvalidInputException if a path is taken or a volume mounted twice
     * @throws ConflictException     with code {@code volume_in_use} if another live sandbox writes a volume one would write
     */
    public synchronized void claim(SandboxId sandbox, List<VolumeMount> mounts) {
        List<VolumeMount> together = new ArrayList<>(mountsOf(sandbox));
        together.addAll(mounts);
        VolumeMount.checkTogether(together);
        for (VolumeMount mount : mounts) {
            requireFree(sandbox, mount);
        }
        this.mounts.remove(sandbox);
        for (VolumeMount mount : mounts) {
            store.insertAttachment(new Attachment(sandbox, mount, clock.instant()));
        }
    }

    /** Forgets {@code mounts} of {@code sandbox}, which could not be made. */
    public synchronized void release(SandboxId sandbox, List<VolumeMount> mounts) {
        this.mounts.remove(sandbox);
        mounts.forEach(mount -> store.deleteAttachment(sandbox, mount.volumeId()));
    }

    /**
     * @throws ConflictException if a copy of {@code sandbox} (a fork, a sandbox made from its snapshot) is asked for while it mounts volumes
     */
    public void requireNoMounts(SandboxId sandbox, String what) {
        List<VolumeMount> mounts = mountsOf(sandbox);
        if (!mounts.isEmpty()) {
            throw new ConflictException("sandbox_has_mounts", "sandbox " + sandbox + " has volumes or drives mounted ("
                    + mounts.stream().map(VolumeMount::mountPath).collect(Collectors.joining(", ")) + "), so " + what
                    + " cannot be made: its processes may hold files on them, and a volume has one writer. "
                    + "Make copies of a sandbox before mounting volumes into it");
        }
    }

    private void requireFree(SandboxId sandbox, VolumeMount mount) {
        Volume volume = store.findVolume(mount.volumeId()).orElseThrow(() -> new InvalidInputException("volume",
                "volume " + mount.volumeId() + " was deleted"));
        if (volume.kind() == Volume.Kind.DRIVE || mount.readOnly()) {
            return;
        }
        for (Attachment holder : holders(volume.id())) {
            if (!holder.mount().readOnly() && !holder.sandbox().equals(sandbox)) {
                throw new ConflictException("volume_in_use", "volume " + volume.name() + " is written by sandbox " + holder.sandbox()
                        + " (mounted at " + holder.mount().mountPath() + "); a volume has one writer at a time. "
                        + "Mount it read-only, delete that sandbox first, or use a drive, which many sandboxes write");
            }
        }
    }

    private boolean isLive(Attachment attachment) {
        return store.find(attachment.sandbox()).filter(s -> s.state() != SandboxState.DELETED).isPresent();
    }

    /**
     * After a restart: deletes the disks of volumes the store does not know (made by a creation,
     * or left by a deletion, that a crash interrupted), and forgets mounts of {@code live}
     * sandboxes that the runtime did not finish making.
     */
    public void recover(Collection<SandboxId> live) {
        Set<String> known = store.listVolumes().stream().map(Volume::id).collect(Collectors.toSet());
        for (String id : runtime.volumes()) {
            if (!known.contains(id)) {
                log.warn("removing volume {}, which the store does not know (an interrupted creation or deletion)", id);
                runtime.deleteVolume(id);
            }
        }
        for (SandboxId sandbox : live) {
            List<VolumeMount> made = runtime.mounts(sandbox);
            for (VolumeMount recorded : mountsOf(sandbox)) {
                if (!made.contains(recorded)) {
                    log.warn("forgetting the mount of {} at {} in sandbox {}: it was not finished", recorded.volumeId(),
                            recorded.mountPath(), sandbox);
                    store.deleteAttachment(sandbox, recorded.volumeId());
                    forget(sandbox);
                }
            }
        }
    }
}
