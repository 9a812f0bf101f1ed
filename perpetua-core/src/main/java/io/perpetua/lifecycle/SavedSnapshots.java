package io.perpetua.lifecycle;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import io.perpetua.snapshot.SnapshotStore;
import io.perpetua.store.PendingOperation;
import io.perpetua.store.SandboxStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saved snapshots and what is made of them, each step done with the sandbox's lock held by the
 * caller. A saved snapshot's directory holds the checkpoint image and, as {@value #DISK_COPY},
 * a copy of the sandbox's disk taken while the sandbox was stopped, so that memory and files
 * agree.
 *
 * <p>Taking one and rolling back to one are recorded as pending operations before their first
 * step, so that {@link Recovery} finishes or undoes them after a crash; a fork is a creation
 * and is undone like one.
 */
final class SavedSnapshots {

    /** The name of the disk's copy in a saved snapshot's directory. */
    static final String DISK_COPY = "disk.img";

    private static final Logger log = LoggerFactory.getLogger(SavedSnapshots.class);

    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final SnapshotStore snapshots;
    private final Transitions transitions;
    private final Clock clock;

    SavedSnapshots(SandboxRuntime runtime, SandboxStore store, SnapshotStore snapshots, Transitions transitions, Clock clock) {
        this.runtime = runtime;
        this.store = store;
        this.snapshots = snapshots;
        this.transitions = transitions;
        this.clock = clock;
    }

    /**
     * Saves the complete state of a running, idle sandbox, which then runs on in its next
     * container with the same processes. If the runtime cannot take it, the sandbox is left
     * running; if its processes are lost on the way, it hibernates from the checkpoint just
     * written, or fails if there is none.
     */
    SavedSnapshot take(ManagedSandbox m, String name) {
        Transitions.requireIdle(m, "snapshot");
        Sandbox s = m.record();
        ContainerRef ref = s.container();
        ContainerRef next = ref.next();
        SnapshotDraft draft = snapshots.begin(s.id());
        begin(new PendingOperation(s.id(), PendingOperation.Kind.SNAPSHOT, s.state(), draft.id(), clock.instant()), draft);
        CrashPoint.SAVE_BEGUN.reach();
        long started = System.nanoTime();
        try {
            runtime.snapshot(ref, next, s.spec(), draft.directory(), draft.directory().resolve(DISK_COPY));
        } catch (RuntimeException e) {
            afterFailedSnapshot(m, draft, next, e);
            throw e;
        }
        m.set(m.record().withGeneration(next.generation()));
        store.update(m.record());
        CrashPoint.SAVE_TAKEN.reach();
        Snapshot content;
        try {
            content = snapshots.commit(draft);
        } catch (RuntimeException e) {
            store.end(s.id());
            throw e;
        }
        CrashPoint.SAVE_SEALED.reach();
        SavedSnapshot saved = new SavedSnapshot(content, s.project(), name);
        try {
            store.saveSnapshot(saved);
        } catch (RuntimeException e) {
            snapshots.delete(content);
            store.end(s.id());
            throw e;
        }
        store.end(s.id());
        log.info("sandbox {} saved as snapshot {} ({} bytes) in {} ms", s.id(), saved.id(), saved.sizeBytes(),
                (System.nanoTime() - started) / 1_000_000);
        return saved;
    }

    /**
     * Saves a hibernated sandbox without waking it: its hibernation image (its memory and
     * processes as they sleep) and a copy of its disk. Nothing of the sandbox changes, so a crash
     * leaves at most a draft or unrecorded content, which the next start sweeps.
     */
    SavedSnapshot copyHibernated(ManagedSandbox m, String name) {
        Sandbox s = m.record();
        Path image = open(new SavedSnapshot(s.snapshot(), s.project(), null));
        SnapshotDraft draft = snapshots.begin(s.id());
        Snapshot content;
        try {
            copyImage(image, draft.directory());
            runtime.copyFiles(s.id(), draft.directory(), draft.directory().resolve(DISK_COPY));
            content = snapshots.commit(draft);
        } catch (RuntimeException e) {
            snapshots.abort(draft);
            throw e;
        }
        CrashPoint.SAVE_COPIED.reach();
        SavedSnapshot saved = new SavedSnapshot(content, s.project(), name);
        try {
            store.saveSnapshot(saved);
        } catch (RuntimeException e) {
            snapshots.delete(content);
            throw e;
        }
        log.info("hibernated sandbox {} saved as snapshot {} ({} bytes) without waking it", s.id(), saved.id(), saved.sizeBytes());
        return saved;
    }

    /** The checkpoint's files, not a disk copy a hibernation image may hold from an earlier failed snapshot. */
    private static void copyImage(Path image, Path target) {
        try (Stream<Path> files = Files.list(image)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(DISK_COPY)).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("snapshot_failure", "cannot copy the hibernation image " + image + ": " + e.getMessage(), e);
        }
    }

    private void begin(PendingOperation operation, SnapshotDraft draft) {
        try {
            store.begin(operation);
        } catch (RuntimeException e) {
            snapshots.abort(draft);
            throw e;
        }
    }

    /**
     * Where a snapshot that failed leaves the sandbox: running on in {@code next} if only the
     * copy of its disk failed, as it was if the checkpoint did not stop it, hibernated from the
     * checkpoint if that was written and only the restore failed, and failed otherwise.
     */
    private void afterFailedSnapshot(ManagedSandbox m, SnapshotDraft draft, ContainerRef next, RuntimeException cause) {
        Sandbox s = m.record();
        if (runtime.status(next) == ContainerStatus.RUNNING) {
            log.warn("snapshot of {} failed; it runs on in its next container: {}", s.id(), cause.getMessage());
            m.set(s.withGeneration(next.generation()));
            store.update(m.record());
        } else if (runtime.status(s.container()) == ContainerStatus.RUNNING) {
            log.warn("snapshot of {} failed; it keeps running: {}", s.id(), cause.getMessage());
        } else if (runtime.checkpointComplete(draft.directory())) {
            hibernateFrom(m, draft, next, cause);
            return;
        } else {
            snapshots.abort(draft);
            store.end(s.id());
            transitions.fail(m, "its snapshot failed and its container is gone: " + cause.getMessage());
            return;
        }
        snapshots.abort(draft);
        store.end(s.id());
    }

    /** The sandbox's processes are gone but their checkpoint is whole: it becomes the sandbox's hibernation snapshot. */
    private void hibernateFrom(ManagedSandbox m, SnapshotDraft draft, ContainerRef next, RuntimeException cause) {
        Sandbox s = m.record();
        runtime.remove(next);
        Snapshot sealed;
        try {
            sealed = snapshots.commit(draft);
        } catch (RuntimeException e) {
            store.end(s.id());
            transitions.fail(m, "its snapshot failed and its checkpoint could not be kept: " + e.getMessage());
            return;
        }
        log.warn("snapshot of {} failed after its checkpoint; it hibernates from that checkpoint: {}", s.id(), cause.getMessage());
        m.set(s.withGeneration(next.generation()).withSnapshot(sealed));
        transitions.move(m, SandboxState.HIBERNATED, true);
        if (s.snapshot() != null) {
            snapshots.delete(s.snapshot());
        }
        store.end(s.id());
    }

    /**
     * Puts the sandbox back to {@code saved}, one of its own: its container is replaced by one
     * restored from the snapshot, with the snapshot's copy of the disk. The snapshot is verified
     * first, so a damaged one changes nothing. The sandbox's own hibernation snapshot no longer
     * matches its disk and is dropped.
     */
    void rollback(ManagedSandbox m, SavedSnapshot saved) {
        Transitions.requireIdle(m, "roll back");
        Sandbox s = m.record();
        Path image = open(saved);
        store.begin(new PendingOperation(s.id(), PendingOperation.Kind.ROLLBACK, s.state(), saved.id(), clock.instant()));
        CrashPoint.ROLLBACK_BEGUN.reach();
        ContainerRef next = s.container().next();
        try {
            runtime.rollback(s.container(), next, s.spec(), image, image.resolve(DISK_COPY));
        } catch (RuntimeException e) {
            afterFailedRollback(m, saved, next, e);
            throw e;
        }
        CrashPoint.ROLLBACK_RESTORED.reach();
        m.set(s.withGeneration(next.generation()).withSnapshot(null));
        if (s.state() == SandboxState.RUNNING) {
            store.update(m.record());
        } else {
            transitions.move(m, SandboxState.RUNNING, true);
        }
        m.touch(clock.instant());
        store.end(s.id());
        if (s.snapshot() != null) {
            snapshots.delete(s.snapshot());
        }
        log.info("sandbox {} rolled back to snapshot {}", s.id(), saved.id());
    }

    private void afterFailedRollback(ManagedSandbox m, SavedSnapshot saved, ContainerRef next, RuntimeException cause) {
        Sandbox s = m.record();
        store.end(s.id());
        if (s.state() == SandboxState.RUNNING && runtime.status(s.container()) == ContainerStatus.RUNNING) {
            log.warn("rollback of {} to {} failed before it stopped anything: {}", s.id(), saved.id(), cause.getMessage());
            return;
        }
        try {
            runtime.remove(next);
        } catch (RuntimeException e) {
            log.warn("could not remove container {} after a failed rollback", next.containerId(), e);
        }
        m.set(s.withGeneration(next.generation()).withSnapshot(null));
        if (s.snapshot() != null) {
            snapshots.delete(s.snapshot());
        }
        if (s.state() != SandboxState.FAILED) {
            transitions.fail(m, "rollback to snapshot " + saved.id() + " failed: " + cause.getMessage() + "; roll back again to retry");
        } else {
            store.update(m.record());
        }
    }

    /**
     * Starts container {@code ref}, the first of a sandbox being created, from {@code saved}: a
     * copy of its disk, an address of its own, its processes and memory.
     */
    void fork(ContainerRef ref, SandboxSpec spec, SavedSnapshot saved) {
        Path image = open(saved);
        runtime.fork(ref, spec, image, image.resolve(DISK_COPY));
        CrashPoint.FORK_STARTED.reach();
    }

    /**
     * Verifies {@code saved} and returns its directory.
     *
     * @throws ConflictException with code {@code snapshot_corrupt} if its content is missing or damaged
     */
    Path open(SavedSnapshot saved) {
        try {
            return snapshots.open(saved.content());
        } catch (RuntimeFailureException e) {
            throw new ConflictException("snapshot_corrupt", e.getMessage());
        }
    }
}
