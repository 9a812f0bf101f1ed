package io.perpetua.snapshot;

import java.util.Locale;

/** What was done with a saved snapshot, as the event feed tells it. */
public enum SnapshotAction {
    /** A sandbox was saved as the snapshot. */
    TAKEN,
    /** A sandbox was put back to the snapshot. */
    RESTORED,
    /** A new sandbox was made as a copy of the snapshot. */
    COPIED,
    /** The snapshot was deleted. */
    DELETED;

    /** The action's name on the wire: {@code taken}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
