package io.perpetua.metering;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the usage ledger is kept: an append-only list of state changes, and the daemon's heartbeat. */
public interface Ledger {

    /** A ledger that keeps nothing, for an engine that does not meter. */
    Ledger NONE = new Ledger() {
        @Override
        public void append(List<StateChange> changes) {
        }

        @Override
        public List<StateChange> changesBefore(Instant until, ProjectId project) {
            return List.of();
        }

        @Override
        public List<StateChange> changesOf(SandboxId sandbox) {
            return List.of();
        }

        @Override
        public Map<SandboxId, StateChange> latest() {
            return Map.of();
        }

        @Override
        public void heartbeat(Instant at) {
        }

        @Override
        public Optional<Instant> lastHeartbeat() {
            return Optional.empty();
        }
    };

    /** Appends {@code changes} in one durable write. */
    void append(List<StateChange> changes);

    /** Every change of {@code project}'s sandboxes before {@code until}, by sandbox, then in the order they happened. */
    List<StateChange> changesBefore(Instant until, ProjectId project);

    /**
     * The storage of every saved snapshot of {@code project} sealed before {@code until}, kept or
     * deleted since; none where the ledger does not keep saved snapshots.
     */
    default List<StoredSnapshot> snapshotsBefore(Instant until, ProjectId project) {
        return List.of();
    }

    /** Every volume and drive of {@code project} made before {@code until}, kept or deleted since. */
    default List<StoredVolume> volumesBefore(Instant until, ProjectId project) {
        return List.of();
    }

    /** Every change of one sandbox, in the order they happened. */
    List<StateChange> changesOf(SandboxId sandbox);

    /** The latest change of every sandbox that has one. */
    Map<SandboxId, StateChange> latest();

    /** Records that the daemon was alive at {@code at}. */
    void heartbeat(Instant at);

    /** The last time the daemon was known alive, if it ever was. */
    Optional<Instant> lastHeartbeat();
}
