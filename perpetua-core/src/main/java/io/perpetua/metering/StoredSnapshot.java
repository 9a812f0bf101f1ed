package io.perpetua.metering;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.Objects;

/**
 * The storage a saved snapshot held: billed like a dormant sandbox's, by bytes and time, to the
 * sandbox it was taken of (for grouping), from when it was sealed until it was deleted.
 *
 * @param source    the sandbox it was taken of
 * @param project   who owns it
 * @param from      when it was sealed
 * @param until     when it was deleted, or {@code null} while it is kept
 * @param bytes     what it holds
 */
public record StoredSnapshot(SandboxId source, ProjectId project, Instant from, Instant until, long bytes) {

    /** Checks that the required parts are present. */
    public StoredSnapshot {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(from, "from");
    }
}
