package io.perpetua.metering;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of the usage ledger: from {@code at} on, the sandbox is in {@code state} with the
 * shape it was given. The next change of the same sandbox ends the interval, so intervals never
 * overlap and never leave a gap; the latest one runs until now.
 *
 * @param sandbox         the sandbox
 * @param project         who it belongs to
 * @param state           its state from {@code at}
 * @param at              when it entered that state
 * @param cpus            its CPU allocation (vCPUs)
 * @param memoryMb        its memory allocation
 * @param generation      the container generation running it (a restore starts a new one, whose counters start at 0)
 * @param cpuNanos        CPU time its container had used by {@code at} (cumulative for the generation; 0 if unknown)
 * @param peakMemoryBytes the most memory its container had used by {@code at} (0 if unknown)
 * @param storedBytes     bytes it keeps on disk while dormant (snapshot and writable layer); 0 while running
 */
public record StateChange(SandboxId sandbox, ProjectId project, SandboxState state, Instant at, double cpus, int memoryMb,
                          int generation, long cpuNanos, long peakMemoryBytes, long storedBytes) {

    /** Checks that the identifying parts are present. */
    public StateChange {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
    }

    /** The same change with the stored bytes measured. */
    public StateChange withStoredBytes(long bytes) {
        return new StateChange(sandbox, project, state, at, cpus, memoryMb, generation, cpuNanos, peakMemoryBytes, bytes);
    }

    /** Whether the sandbox costs storage only in this state (standby or hibernated). */
    public boolean dormant() {
        return state.isFrozen() || state == SandboxState.HIBERNATED || state == SandboxState.FAILED;
    }
}
