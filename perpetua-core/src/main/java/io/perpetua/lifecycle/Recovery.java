package io.perpetua.lifecycle;

import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotStore;
import io.perpetua.store.SandboxStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the engine back after a restart, clean or not. The store says what each sandbox was;
 * the runtime says which containers still exist. Live containers are re-adopted (the newest
 * generation wins, so a restore that finished just before a crash is kept); a sandbox whose
 * container is gone falls back to its last snapshot; everything nobody claims is removed.
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
        List<Sandbox> live = new ArrayList<>();
        for (Sandbox stored : store.listLive()) {
            Sandbox now = reconcile(stored, containers.getOrDefault(stored.id(), List.of()));
            if (now.state() != SandboxState.DELETED) {
                live.add(now);
            }
            containers.remove(stored.id());
        }
        Set<SandboxId> orphans = new HashSet<>(runtime.sandboxes());
        orphans.addAll(containers.keySet());
        live.forEach(sandbox -> orphans.remove(sandbox.id()));
        orphans.forEach(this::destroyOrphan);
        Set<String> liveSnapshots = live.stream().map(Sandbox::snapshot).filter(Objects::nonNull)
                .map(Snapshot::id).collect(Collectors.toCollection(HashSet::new));
        int swept = snapshots.sweep(liveSnapshots);
        log.info("recovered {} sandbox(es); removed {} orphan sandbox(es) and {} stale snapshot(s)",
                live.size(), orphans.size(), swept);
        return live;
    }

    private Sandbox reconcile(Sandbox stored, List<ContainerRef> containers) {
        if (stored.state() == SandboxState.CREATING) {
            runtime.destroy(stored.id());
            Sandbox deleted = stored.withState(SandboxState.DELETED, clock.instant());
            store.update(deleted);
            log.info("sandbox {} was still being created when the daemon stopped; removed it", stored.id());
            return deleted;
        }
        ContainerRef adopted = null;
        ContainerStatus adoptedStatus = ContainerStatus.MISSING;
        for (ContainerRef ref : newestFirst(containers)) {
            ContainerStatus status = ref.generation() >= stored.generation() && adopted == null
                    ? runtime.status(ref) : ContainerStatus.MISSING;
            if (status == ContainerStatus.RUNNING || status == ContainerStatus.FROZEN) {
                adopted = ref;
                adoptedStatus = status;
            } else {
                runtime.remove(ref);
            }
        }
        Sandbox result = adopted != null
                ? adopt(stored, adopted, adoptedStatus)
                : withoutContainer(stored);
        if (!result.equals(stored)) {
            store.update(result);
        }
        return result;
    }

    private Sandbox adopt(Sandbox stored, ContainerRef ref, ContainerStatus status) {
        Instant now = clock.instant();
        SandboxState state = status == ContainerStatus.FROZEN ? SandboxState.STANDBY : SandboxState.RUNNING;
        Sandbox adopted = stored.withGeneration(ref.generation());
        if (adopted.state() == state) {
            return state == SandboxState.RUNNING ? adopted.withLastActivity(now) : adopted;
        }
        log.info("sandbox {} re-adopted as {} in container {}", stored.id(), state.wireName(), ref.containerId());
        return adopted.withState(state, now).withLastActivity(now);
    }

    private Sandbox withoutContainer(Sandbox stored) {
        boolean wasAwake = stored.state() == SandboxState.RUNNING || stored.state() == SandboxState.STANDBY;
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
