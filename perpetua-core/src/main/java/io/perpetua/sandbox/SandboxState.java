package io.perpetua.sandbox;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a sandbox is in its life, and the moves between states that are legal (the diagram in
 * DESIGN.md, as a table the engine enforces):
 * <pre>
 *   creating   → running, deleted
 *   running    → standby, hibernated, failed, deleted
 *   standby    → running, reclaimed, hibernated, failed, deleted
 *   reclaimed  → running, hibernated, failed, deleted
 *   hibernated → running, failed, deleted
 *   failed     → running, failed (a new reason), deleted
 *   deleted    → (nothing)
 * </pre>
 */
public enum SandboxState {
    /** The container is being created; requests wait for it. */
    CREATING,
    /** Processes run and are billed. */
    RUNNING,
    /** Every process is frozen (cgroup freezer): no CPU; resumes by thawing in well under a millisecond. */
    STANDBY,
    /**
     * Frozen as in standby, with its memory given back to the host (out to swap): no CPU and
     * next to no RAM. Resumes by thawing; its pages come back as they are touched.
     */
    RECLAIMED,
    /** Checkpointed to the snapshot store; no process left. Resumes by restoring the checkpoint. */
    HIBERNATED,
    /** Gone, with every process, mount, file and snapshot. */
    DELETED,
    /** Something failed; the last good snapshot, if any, is kept and the sandbox can be resumed from it. */
    FAILED;

    private static final Map<SandboxState, Set<SandboxState>> MOVES = Map.of(
            CREATING, EnumSet.of(RUNNING, DELETED),
            RUNNING, EnumSet.of(STANDBY, HIBERNATED, FAILED, DELETED),
            STANDBY, EnumSet.of(RUNNING, RECLAIMED, HIBERNATED, FAILED, DELETED),
            RECLAIMED, EnumSet.of(RUNNING, HIBERNATED, FAILED, DELETED),
            HIBERNATED, EnumSet.of(RUNNING, FAILED, DELETED),
            FAILED, EnumSet.of(RUNNING, FAILED, DELETED),
            DELETED, EnumSet.noneOf(SandboxState.class));

    /** Whether the sandbox's processes exist and are frozen: standby or reclaimed. */
    public boolean isFrozen() {
        return this == STANDBY || this == RECLAIMED;
    }

    /** Whether a sandbox in this state may move to {@code next}. */
    public boolean mayMoveTo(SandboxState next) {
        return MOVES.get(this).contains(next);
    }

    /**
     * Checks a move before the engine makes it.
     *
     * @throws IllegalStateException if the table does not allow it: a bug in the engine, never the caller's error
     */
    public void requireMoveTo(SandboxState next) {
        if (!mayMoveTo(next)) {
            throw new IllegalStateException("a sandbox cannot move from " + wireName() + " to " + next.wireName()
                    + "; from " + wireName() + " it may move to " + MOVES.get(this).stream().map(SandboxState::wireName).toList());
        }
    }

    /** The lowercase name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name such as {@code standby}. */
    public static SandboxState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
