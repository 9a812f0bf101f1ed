package io.perpetua.lifecycle;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.metering.Metering;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import io.perpetua.snapshot.SnapshotStore;
import io.perpetua.store.PendingOperation;
import io.perpetua.store.SandboxStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moves between states, each done with the sandbox's lock held by the caller. A move
 * either completes and is recorded, or fails leaving the sandbox where it was (or in
 * {@code FAILED} when its processes are gone) with its last good snapshot intact.
 */
final class Transitions {

    private static final Logger log = LoggerFactory.getLogger(Transitions.class);

    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final SnapshotStore snapshots;
    private final Clock clock;
    private final LifecycleListener listener;
    private final Metering metering;

    Transitions(SandboxRuntime runtime, SandboxStore store, SnapshotStore snapshots, Clock clock, LifecycleListener listener,
                Metering metering) {
        this.runtime = runtime;
        this.store = store;
        this.snapshots = snapshots;
        this.clock = clock;
        this.listener = listener;
        this.metering = metering;
    }

    /** What the sandbox's container has used so far; nothing if it has no container (any more). */
    ResourceUsage usage(Sandbox s) {
        if (s.state() == SandboxState.HIBERNATED || s.state() == SandboxState.CREATING) {
            return ResourceUsage.NONE;
        }
        try {
            return runtime.usage(s.container());
        } catch (RuntimeException e) {
            return ResourceUsage.NONE;
        }
    }

    private void meter(ManagedSandbox m, ResourceUsage used) {
        metering.changed(m.record(), used);
        m.lastUsage(used);
    }

    /**
     * The container's usage for the line of a move to {@code to}, read off the resume path: a
     * sandbox thawed from standby used nothing while frozen, so its reading at the freeze still
     * holds; a new container (create, restore) starts from nothing.
     */
    private ResourceUsage usageEntering(ManagedSandbox m, SandboxState from, SandboxState to) {
        if (to != SandboxState.RUNNING) {
            return usage(m.record());
        }
        if (from.isFrozen()) {
            return m.lastUsage() != null ? m.lastUsage() : usage(m.record());
        }
        return ResourceUsage.NONE;
    }

    /** Makes the sandbox's processes runnable, from whatever state it sleeps in. */
    void wake(ManagedSandbox m) {
        Sandbox s = m.record();
        switch (s.state()) {
            case RUNNING -> { }
            case STANDBY, RECLAIMED -> thaw(m);
            case HIBERNATED -> restore(m);
            case FAILED -> {
                if (s.snapshot() == null) {
                    throw new ConflictException("sandbox_failed",
                            "sandbox " + s.id() + " failed (" + s.failureReason() + ") and has no snapshot to resume from");
                }
                restore(m);
            }
            case DELETED -> throw notFound(m);
            case CREATING -> throw new IllegalStateException("sandbox " + s.id() + " is still being created");
        }
    }

    /**
     * Freezes a running, unused sandbox. The move is written at once (it is off every request's
     * path), so that after a crash the sandbox is billed as asleep from the moment it fell asleep.
     */
    void standby(ManagedSandbox m) {
        requireIdle(m, "standby");
        runtime.freeze(m.record().container());
        CrashPoint.STANDBY_FROZEN.reach();
        move(m, SandboxState.STANDBY, true);
    }

    /**
     * Gives a standby sandbox's memory back to the host, if the runtime can; it stays frozen.
     * One step in the runtime, then the move: after a crash in between, the sandbox is adopted
     * in standby, frozen, and reclaimed again later.
     *
     * @return whether it was reclaimed
     */
    boolean reclaim(ManagedSandbox m) {
        Sandbox s = m.record();
        if (s.state() != SandboxState.STANDBY) {
            throw new ConflictException("sandbox_not_in_standby", "sandbox " + s.id() + " is " + s.state().wireName()
                    + "; only a sandbox in standby has memory to give back");
        }
        long started = System.nanoTime();
        OptionalLong resident = runtime.reclaimMemory(s.container());
        if (resident.isEmpty()) {
            return false;
        }
        CrashPoint.RECLAIM_RECLAIMED.reach();
        move(m, SandboxState.RECLAIMED, true);
        log.info("sandbox {} reclaimed in {} ms: {} MiB left in RAM", s.id(), (System.nanoTime() - started) / 1_000_000,
                resident.getAsLong() / (1024 * 1024));
        return true;
    }

    /**
     * Checkpoints a running, standby or reclaimed sandbox to a new snapshot and replaces the previous one.
     * If the checkpoint cannot be written the sandbox keeps running (or sleeping) as before;
     * if its processes are lost on the way it fails, keeping the previous snapshot.
     *
     * <p>The hibernation is recorded in the store before its first step and ended after its
     * last, so that a crash anywhere in between is finished by {@link Recovery}: a checkpoint
     * that completed is sealed and kept, one that did not leaves the sandbox as it was. The
     * superseded snapshot is deleted only after its successor is sealed and recorded.
     */
    void hibernate(ManagedSandbox m) {
        requireIdle(m, "hibernate");
        Sandbox s = m.record();
        s.state().requireMoveTo(SandboxState.HIBERNATED);
        ContainerRef ref = s.container();
        boolean wasStandby = s.state().isFrozen();
        long started = System.nanoTime();
        SnapshotDraft draft = snapshots.begin(s.id());
        try {
            store.begin(new PendingOperation(s.id(), PendingOperation.Kind.HIBERNATE, s.state(), draft.id(), clock.instant()));
        } catch (RuntimeException e) {
            snapshots.abort(draft);
            throw e;
        }
        CrashPoint.HIBERNATE_BEGUN.reach();
        if (wasStandby) {
            runtime.thaw(ref);
        }
        ResourceUsage used = usage(s);
        Snapshot snapshot = writeCheckpoint(m, ref, draft, wasStandby);
        CrashPoint.HIBERNATE_SEALED.reach();
        m.set(m.record().withSnapshot(snapshot).withState(SandboxState.HIBERNATED, clock.instant()));
        store.update(m.record());
        CrashPoint.HIBERNATE_RECORDED.reach();
        if (s.snapshot() != null) {
            snapshots.delete(s.snapshot());
        }
        store.end(s.id());
        listener.onCheckpoint(s.id(), Duration.ofNanos(System.nanoTime() - started), snapshot.sizeBytes());
        listener.onTransition(s.id(), s.state(), SandboxState.HIBERNATED);
        listener.onStateChanged(m.record(), s.state());
        meter(m, used);
    }

    /** Checkpoints into {@code draft} and seals it; on failure, ends the recorded hibernation. */
    private Snapshot writeCheckpoint(ManagedSandbox m, ContainerRef ref, SnapshotDraft draft, boolean wasStandby) {
        try {
            runtime.checkpoint(ref, draft.directory());
        } catch (RuntimeException e) {
            snapshots.abort(draft);
            store.end(ref.sandbox());
            recoverFromFailedCheckpoint(m, ref, wasStandby, e);
            throw e;
        }
        CrashPoint.HIBERNATE_CHECKPOINTED.reach();
        try {
            return snapshots.commit(draft);
        } catch (RuntimeException e) {
            store.end(ref.sandbox());
            fail(m, "checkpoint could not be saved: " + e.getMessage());
            throw e;
        }
    }

    private void recoverFromFailedCheckpoint(ManagedSandbox m, ContainerRef ref, boolean wasStandby, RuntimeException cause) {
        ContainerStatus status = runtime.status(ref);
        if (status == ContainerStatus.RUNNING) {
            log.warn("checkpoint of {} failed; it keeps running: {}", ref.sandbox(), cause.getMessage());
            if (wasStandby) {
                runtime.freeze(ref);
            }
            return;
        }
        fail(m, "checkpoint failed and the container is " + status.name().toLowerCase() + ": " + cause.getMessage());
    }

    /**
     * Removes everything of the sandbox. The deletion is recorded before its first step, so that
     * a crash in the middle of it is finished by {@link Recovery}; billing ends when it was asked
     * for, not when the teardown is done.
     */
    void delete(ManagedSandbox m) {
        delete(m, null);
    }

    /** Like {@link #delete(ManagedSandbox)}, done by the sandbox's lifecycle for {@code reason}, which is kept. */
    void delete(ManagedSandbox m, String reason) {
        Sandbox s = m.record();
        s.state().requireMoveTo(SandboxState.DELETED);
        Instant requested = clock.instant();
        ResourceUsage used = usage(s);
        store.begin(new PendingOperation(s.id(), PendingOperation.Kind.DELETE, s.state(), null, requested));
        CrashPoint.DELETE_BEGUN.reach();
        runtime.destroy(s.id());
        CrashPoint.DELETE_DESTROYED.reach();
        if (s.snapshot() != null) {
            snapshots.delete(s.snapshot());
        }
        move(m, SandboxState.DELETED, true, used, requested, reason);
        store.end(s.id());
    }

    /**
     * After a request failed in the runtime: if the sandbox's container is gone (killed, out of
     * memory), the sandbox has failed; its last snapshot, if any, is what it resumes from.
     */
    void failIfDead(ManagedSandbox m, ContainerRef ref) {
        if (m.state() != SandboxState.RUNNING || !m.record().container().equals(ref)) {
            return;
        }
        ContainerStatus status = runtime.status(ref);
        if (status == ContainerStatus.STOPPED || status == ContainerStatus.MISSING) {
            fail(m, runtime.stopReason(ref).orElse("its processes stopped unexpectedly (killed, or out of memory)"));
        }
    }

    /** Records that the sandbox failed; its processes are gone, its last snapshot is kept. */
    void fail(ManagedSandbox m, String reason) {
        Sandbox s = m.record();
        s.state().requireMoveTo(SandboxState.FAILED);
        log.warn("sandbox {} failed: {}", s.id(), reason);
        ResourceUsage used = usage(s);
        try {
            runtime.remove(s.container());
        } catch (RuntimeException e) {
            log.warn("could not remove container {} of failed sandbox {}", s.container().containerId(), s.id(), e);
        }
        m.set(s.failed(reason, clock.instant()));
        store.update(m.record());
        listener.onTransition(s.id(), s.state(), SandboxState.FAILED);
        listener.onStateChanged(m.record(), s.state());
        meter(m, used);
    }

    private void thaw(ManagedSandbox m) {
        long started = System.nanoTime();
        SandboxState tier = m.record().state();
        runtime.thaw(m.record().container());
        CrashPoint.WAKE_THAWED.reach();
        move(m, SandboxState.RUNNING, false);
        listener.onResume(m.id(), tier, Duration.ofNanos(System.nanoTime() - started));
    }

    private void restore(ManagedSandbox m) {
        Sandbox s = m.record();
        long started = System.nanoTime();
        Path image;
        try {
            image = snapshots.open(s.snapshot());
            log.debug("snapshot {} of {} verified in {} ms", s.snapshot().id(), s.id(), (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeFailureException e) {
            fail(m, "snapshot " + s.snapshot().id() + " is unusable: " + e.getMessage());
            throw e;
        }
        ContainerRef next = s.container().next();
        try {
            runtime.restore(next, s.spec(), image);
        } catch (RuntimeException e) {
            runtime.remove(next);
            m.set(m.record().withGeneration(next.generation()));
            fail(m, "restore from snapshot " + s.snapshot().id() + " failed: " + e.getMessage());
            throw e;
        }
        CrashPoint.RESTORE_RESTORED.reach();
        m.set(s.withGeneration(next.generation()));
        move(m, SandboxState.RUNNING, true);
        listener.onResume(s.id(), s.state() == SandboxState.FAILED ? SandboxState.HIBERNATED : s.state(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Moves to {@code to}. Durable moves are written before returning; the others (a thaw, which
     * recovery re-derives from the freezer) on the next flush, to keep store writes off the
     * resume path.
     */
    void move(ManagedSandbox m, SandboxState to, boolean durable) {
        move(m, to, durable, null, clock.instant());
    }

    /**
     * Like {@link #move(ManagedSandbox, SandboxState, boolean)}, as of {@code at}, with the
     * container's usage read before it went away.
     */
    void move(ManagedSandbox m, SandboxState to, boolean durable, ResourceUsage usedBefore, Instant at) {
        move(m, to, durable, usedBefore, at, null);
    }

    /** Like {@link #move(ManagedSandbox, SandboxState, boolean, ResourceUsage, Instant)}, to deleted for {@code reason}, kept. */
    private void move(ManagedSandbox m, SandboxState to, boolean durable, ResourceUsage usedBefore, Instant at, String reason) {
        Sandbox s = m.record();
        s.state().requireMoveTo(to);
        m.set(reason == null ? s.withState(to, at) : s.deletedFor(reason, at));
        if (durable) {
            store.update(m.record());
        } else {
            m.markDirty();
        }
        listener.onTransition(s.id(), s.state(), to);
        listener.onStateChanged(m.record(), s.state());
        meter(m, usedBefore != null ? usedBefore : usageEntering(m, s.state(), to));
    }

    static void requireIdle(ManagedSandbox m, String operation) {
        if (m.inflight() > 0) {
            throw new ConflictException("sandbox_busy", "cannot " + operation + " sandbox " + m.id()
                    + " while " + m.inflight() + " request(s) are running in it");
        }
    }

    static NotFoundException notFound(ManagedSandbox m) {
        return notFound(m.id().value());
    }

    static NotFoundException notFound(String id) {
        return NotFoundException.sandbox(id);
    }
}
