package io.perpetua.sandbox;

import java.util.Locale;

/** Where a sandbox is in its life. See DESIGN.md for the transitions. */
public enum SandboxState {
    /** The container is being created; requests wait for it. */
    CREATING,
    /** Processes run and are billed. */
    RUNNING,
    /** Every process is frozen (cgroup freezer): no CPU; resumes by thawing in well under a millisecond. */
    STANDBY,
    /** Checkpointed to the snapshot store; no process left. Resumes by restoring the checkpoint. */
    HIBERNATED,
    /** Gone, with every process, mount, file and snapshot. */
    DELETED,
    /** Something failed; the last good snapshot, if any, is kept and the sandbox can be resumed from it. */
    FAILED;

    /** The lowercase name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name such as {@code standby}. */
    public static SandboxState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
