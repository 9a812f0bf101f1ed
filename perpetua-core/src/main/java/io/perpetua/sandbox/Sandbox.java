package io.perpetua.sandbox;

import io.perpetua.access.ProjectId;
import io.perpetua.snapshot.Snapshot;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything known about one sandbox at one moment; immutable, replaced on every change.
 *
 * @param id             the sandbox's identity
 * @param project        the project that owns it; only that project's keys see it
 * @param spec           what it was created with, defaults filled in
 * @param state          where it is in its life
 * @param createdAt      when it was created
 * @param stateChangedAt when it entered {@code state}
 * @param lastActivityAt when a request last used it
 * @param generation     number of the container incarnation; each restore starts a new one
 * @param snapshot       the last good checkpoint, or {@code null} if it was never hibernated
 * @param failureReason  why it failed ({@code FAILED}) or why its lifecycle deleted it ({@code DELETED}: expired, idle);
 *                       {@code null} otherwise
 * @param lifecycle      what becomes of it over time, as its owner chose: what it does when idle, the rules that delete it
 */
public record Sandbox(SandboxId id, ProjectId project, SandboxSpec spec, SandboxState state, Instant createdAt,
                      Instant stateChangedAt, Instant lastActivityAt, int generation,
                      Snapshot snapshot, String failureReason, Lifecycle lifecycle) {

    /** Checks that the required parts are present and the generation is positive. */
    public Sandbox {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(stateChangedAt, "stateChangedAt");
        Objects.requireNonNull(lastActivityAt, "lastActivityAt");
        Objects.requireNonNull(lifecycle, "lifecycle");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive but was " + generation);
        }
    }

    /** A sandbox that is being created now. */
    public static Sandbox creating(SandboxId id, ProjectId project, SandboxSpec spec, Instant now) {
        return new Sandbox(id, project, spec, SandboxState.CREATING, now, now, now, 1, null, null, Lifecycle.DEFAULT);
    }

    /** The container this sandbox currently runs (or last ran) in. */
    public ContainerRef container() {
        return new ContainerRef(id, generation);
    }

    /** This sandbox in {@code newState} since {@code at}; a failure reason is cleared. */
    public Sandbox withState(SandboxState newState, Instant at) {
        return new Sandbox(id, project, spec, newState, createdAt, at, lastActivityAt, generation, snapshot, null, lifecycle);
    }

    /** This sandbox failed at {@code at} for {@code reason}; its snapshot is kept. */
    public Sandbox failed(String reason, Instant at) {
        return new Sandbox(id, project, spec, SandboxState.FAILED, createdAt, at, lastActivityAt, generation, snapshot, reason, lifecycle);
    }

    /** This sandbox with {@code activity} as its last activity. */
    public Sandbox withLastActivity(Instant activity) {
        return new Sandbox(id, project, spec, state, createdAt, stateChangedAt, activity, generation, snapshot, failureReason, lifecycle);
    }

    /** This sandbox running in container generation {@code newGeneration}. */
    public Sandbox withGeneration(int newGeneration) {
        return new Sandbox(id, project, spec, state, createdAt, stateChangedAt, lastActivityAt, newGeneration, snapshot, failureReason, lifecycle);
    }

    /** This sandbox with {@code newSpec}: only the network policy of a spec changes after creation. */
    public Sandbox withSpec(SandboxSpec newSpec) {
        return new Sandbox(id, project, newSpec, state, createdAt, stateChangedAt, lastActivityAt, generation, snapshot, failureReason, lifecycle);
    }

    /** This sandbox with {@code newSnapshot} as its last good checkpoint. */
    public Sandbox withSnapshot(Snapshot newSnapshot) {
        return new Sandbox(id, project, spec, state, createdAt, stateChangedAt, lastActivityAt, generation, newSnapshot, failureReason, lifecycle);
    }

    /** This sandbox with {@code newLifecycle}. */
    public Sandbox withLifecycle(Lifecycle newLifecycle) {
        return new Sandbox(id, project, spec, state, createdAt, stateChangedAt, lastActivityAt, generation, snapshot, failureReason, newLifecycle);
    }

    /** This sandbox deleted at {@code at} by its lifecycle, for {@code reason} (kept to be shown). */
    public Sandbox deletedFor(String reason, Instant at) {
        return new Sandbox(id, project, spec, SandboxState.DELETED, createdAt, at, lastActivityAt, generation, snapshot, reason, lifecycle);
    }
}
