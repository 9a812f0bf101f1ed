package io.perpetua.events;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SnapshotAction;
import java.time.Instant;

/**
 * Something that happened to a sandbox: it moved from one state to another (a transition), or
 * something was done with a saved snapshot of it.
 *
 * @param id             this event's number, increasing within one run of the daemon
 * @param sandbox        the sandbox
 * @param project        who it belongs to
 * @param from           the state it left; null for a snapshot's event
 * @param to             the state it is in now; null for a snapshot's event
 * @param at             when
 * @param reason         why it failed, when {@code to} is failed; else null
 * @param snapshotAction what was done with a saved snapshot; null for a transition
 * @param snapshotId     the saved snapshot; null for a transition
 */
public record SandboxEvent(long id, SandboxId sandbox, ProjectId project, SandboxState from, SandboxState to, Instant at, String reason,
                           SnapshotAction snapshotAction, String snapshotId) {

    /** Whether this is a transition from one state to another, rather than a snapshot's event. */
    public boolean transition() {
        return snapshotAction == null;
    }
}
