package io.perpetua.lifecycle;

import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotStore;
import io.perpetua.store.PendingOperation;
import io.perpetua.store.SandboxStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the engine back after a restart, clean or not. The store says what each sandbox was
 * and which operation was under way on it; the runtime says which containers still exist.
 * <ul>
 * <li>A deletion that had begun is finished.</li>
 * <li>A hibernation that had begun is finished if its checkpoint completed (the snapshot is
 *     sealed and recorded, and the one it supersedes removed), and otherwise undone: the
 *     container, still alive, is adopted as it was before (frozen again if it was in standby).</li>
 * <li>Live containers are re-adopted (the newest generation wins, so a restore that finished
 *     just before a crash is kept); a sandbox whose container is gone falls back to its last
 *     snapshot.</li>
 * <li>A creation that had not finished is undone, and everything nobody claims is removed.</li>
 * </ul>
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final SnapshotStore snapshots;
    private final Clock clock;

    Recovery(SandboxRuntime runtime, SandboxStore store, SnapshotStore snapshots, Clock clock) {
        this.runtime = runtime;
        this.store = store;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /** Reconciles store and runtime and returns the live sandboxes as they are now. */
    List<Sandbox> recover() {
        Map<SandboxId, List<ContainerRef>> containers = runtime.containers().stream()
                .collect(Collectors.groupingBy(ContainerRef::sandbox));
        Map<SandboxId, PendingOperation> operations = store.pendingOperations().stream()
                .collect(Collectors.toMap(PendingOperation::sandbox, Function.identity()));
        List<Sandbox> live = new ArrayList<>();
        for (Sandbox stored : store.listLive()) {
            PendingOperation operation = operations.remove(stored.id());
            Sandbox now = recover(stored, Optional.ofNullable(operation), containers.getOrDefault(stored.id(), List.of()));
            if (!now.equals(stored)) {
                store.update(now);
            }
            if (operation != null) {
                store.end(stored.id());
            }
            if (now.state() != SandboxState.DELETED) {
                live.add(now);
            }
            containers.remove(stored.id());
        }
        // Operations on sandboxes the store already has as deleted: nothing is left to do for them.
        operations.keySet().forEach(store::end);
        Set<SandboxId> orphans = new HashSet<>(runtime.sandboxes());
        orphans.addAll(containers.keySet());
        live.forEach(sandbox -> orphans.remove(sandbox.id()));
        orphans.forEach(this::destroyOrphan);
        Set<String> liveSnapshots = live.stream().map(Sandbox::snapshot).filter(Objects::nonNull)
                .map(Snapshot::id).collect(Collectors.toCollection(HashSet::new));
        store.listSnapshots().forEach(saved -> liveSnapshots.add(saved.id()));
        int swept = snapshots.sweep(liveSnapshots);
        log.info("recovered {} sandbox(es); removed {} orphan sandbox(es) and {} stale snapshot(s)",
                live.size(), orphans.size(), swept);
        return live;
    }

    private Sandbox recover(Sandbox stored, Optional<PendingOperation> operation, List<ContainerRef> containers) {
        if (operation.map(PendingOperation::kind).orElse(null) == PendingOperation.Kind.DELETE) {
            return finishDeletion(stored, operation.get());
        }
        if (stored.state() == SandboxState.CREATING) {
            return undoCreation(stored);
        }
        PendingOperation.Kind kind = operation.map(PendingOperation::kind).orElse(null);
        if (kind == PendingOperation.Kind.SNAPSHOT || kind == PendingOperation.Kind.ROLLBACK) {
            runtime.repair(stored.id());
        }
        Optional<Container> alive = adoptableContainer(stored, containers);
        if (kind == PendingOperation.Kind.ROLLBACK) {
            return recoverRollback(stored, operation.get(), alive);
        }
        if (alive.isPresent()) {
            return adopt(stored, alive.get(), operation.map(PendingOperation::from).orElse(null));
        }
        Optional<Sandbox> hibernated = operation.flatMap(pending -> finishHibernation(stored, pending));
        return hibernated.orElseGet(() -> withoutContainer(stored));
    }

    private Sandbox finishDeletion(Sandbox stored, PendingOperation deletion) {
        runtime.destroy(stored.id());
        if (stored.snapshot() != null) {
            snapshots.delete(stored.snapshot());
        }
        log.info("sandbox {} was being deleted when the daemon stopped; finished the deletion", stored.id());
        stored.state().requireMoveTo(SandboxState.DELETED);
        return stored.withState(SandboxState.DELETED, deletion.startedAt());
    }

    private Sandbox undoCreation(Sandbox stored) {
        runtime.destroy(stored.id());
        log.info("sandbox {} was still being created when the daemon stopped; removed it", stored.id());
        return stored.withState(SandboxState.DELETED, clock.instant());
    }

    /**
     * An interrupted rollback: undone if the sandbox's container still runs (nothing was stopped
     * yet), kept if the restored one runs, and otherwise done again from the saved snapshot; the
     * sandbox fails if it cannot be (a rollback asked for again puts it right).
     */
    private Sandbox recoverRollback(Sandbox stored, PendingOperation rollback, Optional<Container> alive) {
        if (alive.isPresent() && alive.get().ref().generation() > stored.generation()) {
            log.info("sandbox {} was being rolled back to snapshot {} when the daemon stopped; the rollback had finished",
                    stored.id(), rollback.snapshotId());
            return adopt(stored.withSnapshot(null), alive.get(), null);
        }
        if (alive.isPresent()) {
            log.info("sandbox {} was being rolled back when the daemon stopped; nothing was stopped yet, so it is as it was", stored.id());
            return adopt(stored, alive.get(), rollback.from());
        }
        ContainerRef next = stored.container().next();
        Instant now = clock.instant();
        try {
            Snapshot content = store.findSnapshot(rollback.snapshotId()).orElseThrow(() -> new IllegalStateException(
                    "snapshot " + rollback.snapshotId() + " is gone")).content();
            Path image = snapshots.open(content);
            runtime.rollback(stored.container(), next, stored.spec(), image, image.resolve(SavedSnapshots.DISK_COPY));
        } catch (RuntimeException e) {
            log.warn("sandbox {} was being rolled back to snapshot {} when the daemon stopped, and the rollback cannot be finished",
                    stored.id(), rollback.snapshotId(), e);
            runtime.remove(next);
            return stored.withGeneration(next.generation()).withSnapshot(null).failed("a rollback to snapshot " + rollback.snapshotId()
                    + " interrupted by a restart could not be finished (" + e.getMessage() + "); roll back again", now);
        }
        log.info("sandbox {} was being rolled back to snapshot {} when the daemon stopped; finished the rollback",
                stored.id(), rollback.snapshotId());
        return stored.withGeneration(next.generation()).withSnapshot(null).withState(SandboxState.RUNNING, now).withLastActivity(now);
    }

    /**
     * The checkpoint of an interrupted hibernation (or saved snapshot), if it completed: sealed (if the crash came
     * before the seal) and recorded as the sandbox's snapshot. Empty if it did not complete.
     */
    private Optional<Sandbox> finishHibernation(Sandbox stored, PendingOperation hibernation) {
        if (stored.snapshot() != null && stored.snapshot().id().equals(hibernation.snapshotId())) {
            return Optional.of(stored);
        }
        Optional<Snapshot> sealed = snapshots.recover(snapshots.draft(stored.id(), hibernation.snapshotId()), runtime::checkpointComplete);
        if (sealed.isEmpty()) {
            log.warn("sandbox {} was being checkpointed ({}) when the daemon stopped, and its checkpoint did not complete",
                    stored.id(), hibernation.kind());
            return Optional.empty();
        }
        log.info("sandbox {} was being checkpointed ({}) when the daemon stopped; its checkpoint completed and is sealed as"
                + " snapshot {}, which it hibernates in", stored.id(), hibernation.kind(), sealed.get().id());
        if (stored.snapshot() != null) {
            snapshots.delete(stored.snapshot());
        }
        stored.state().requireMoveTo(SandboxState.HIBERNATED);
        return Optional.of(stored.withSnapshot(sealed.get()).withState(SandboxState.HIBERNATED, clock.instant()));
    }

    /**
     * The newest container of the sandbox that still runs (or is frozen), no older than the
     * store's generation; every other container of it is removed.
     */
    private Optional<Container> adoptableContainer(Sandbox stored, List<ContainerRef> containers) {
        Container adopted = null;
        for (ContainerRef ref : newestFirst(containers)) {
            ContainerStatus status = ref.generation() >= stored.generation() && adopted == null
                    ? runtime.status(ref) : ContainerStatus.MISSING;
            if (status == ContainerStatus.RUNNING || status == ContainerStatus.FROZEN) {
                adopted = new Container(ref, status);
            } else {
                runtime.remove(ref);
            }
        }
        return Optional.ofNullable(adopted);
    }

    /** A container found alive, and whether it runs or is frozen. */
    private record Container(ContainerRef ref, ContainerStatus status) {
    }

    /**
     * The sandbox in container {@code ref}: running or in standby as its freezer says. An
     * operation that was undone ({@code before} not null) puts it back in standby if it was.
     */
    private Sandbox adopt(Sandbox stored, Container container, SandboxState before) {
        Instant now = clock.instant();
        ContainerRef ref = container.ref();
        boolean frozen = container.status() == ContainerStatus.FROZEN;
        if (before != null && before.isFrozen() && !frozen) {
            runtime.freeze(ref);
            frozen = true;
        }
        // A reclaimed sandbox's container stays frozen with its memory out; one that was frozen but not yet recorded as reclaimed is in standby.
        SandboxState state = !frozen ? SandboxState.RUNNING
                : stored.state() == SandboxState.RECLAIMED || before == SandboxState.RECLAIMED ? SandboxState.RECLAIMED : SandboxState.STANDBY;
        Sandbox adopted = stored.withGeneration(ref.generation());
        if (adopted.state() == state) {
            return state == SandboxState.RUNNING ? adopted.withLastActivity(now) : adopted;
        }
        log.info("sandbox {} re-adopted as {} in container {}", stored.id(), state.wireName(), ref.containerId());
        adopted.state().requireMoveTo(state);
        return adopted.withState(state, now).withLastActivity(now);
    }

    private Sandbox withoutContainer(Sandbox stored) {
        boolean wasAwake = stored.state() == SandboxState.RUNNING || stored.state().isFrozen();
        if (!wasAwake) {
            return stored;
        }
        Instant now = clock.instant();
        if (stored.snapshot() != null) {
            log.warn("sandbox {} lost its container while the daemon was down; it will resume from snapshot {}",
                    stored.id(), stored.snapshot().id());
            return stored.withState(SandboxState.HIBERNATED, now);
        }
        return stored.failed("its container was lost while the daemon was down and it has no snapshot", now);
    }

    private void destroyOrphan(SandboxId id) {
        log.warn("removing what is left of sandbox {}, which the store does not know as live", id);
        runtime.destroy(id);
    }

    private static List<ContainerRef> newestFirst(List<ContainerRef> containers) {
        return containers.stream().sorted(Comparator.comparingInt(ContainerRef::generation).reversed()).toList();
    }
}
