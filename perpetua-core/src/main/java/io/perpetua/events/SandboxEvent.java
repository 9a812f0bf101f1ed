package io.perpetua.events;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SnapshotAction;
import java.time.Instant;
import java.util.Locale;

/**
 * Something that happened to a sandbox: it moved from one state to another (a transition),
 * something was done with a saved snapshot of it, or its lifecycle deleted it.
 *
 * @param id             this event's number, increasing within one run of the daemon
 * @param kind           which of those it is
 * @param sandbox        the sandbox
 * @param project        who it belongs to
 * @param from           the state it left; null unless a transition
 * @param to             the state it is in now; null unless a transition
 * @param at             when
 * @param reason         why it failed or was deleted by its lifecycle; else null
 * @param snapshotAction what was done with a saved snapshot; null unless a snapshot's event
 * @param snapshotId     the saved snapshot; null unless a snapshot's event
 */
public record SandboxEvent(long id, Kind kind, SandboxId sandbox, ProjectId project, SandboxState from, SandboxState to, Instant at,
                           String reason, SnapshotAction snapshotAction, String snapshotId) {

    /** The kinds of event, each with its name in the stream. */
    public enum Kind {
        /** It moved from one state to another. */
        TRANSITION,
        /** Something was done with a saved snapshot of it. */
        SNAPSHOT,
        /** Its lifecycle deleted it: a rule of its expiration policies, or idle with onIdle delete. */
        EXPIRED;

        /** The event's name in the stream: {@code transition}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
