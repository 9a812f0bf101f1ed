package io.perpetua.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A volume or drive as billed: by its size (what it reserves), from when it was made until it was
 * deleted, whether or not a sandbox mounts it, like a block volume of a cloud.
 *
 * @param id     the volume's id
 * @param name   its name
 * @param kind   {@code volume} or {@code drive}
 * @param from   when it was made
 * @param until  when it was deleted, or {@code null} while it is kept
 * @param sizeMb its size in MiB
 */
public record StoredVolume(String id, String name, String kind, Instant from, Instant until, int sizeMb) {

    /** Checks that the required parts are present. */
    public StoredVolume {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(from, "from");
    }

    /** GB-seconds it held between {@code start} and {@code end} (the part of its life inside them). */
    public double gbSeconds(Instant start, Instant end) {
        Instant begins = from.isAfter(start) ? from : start;
        Instant ends = until != null && until.isBefore(end) ? until : end;
        if (!begins.isBefore(ends)) {
            return 0;
        }
        return sizeMb / 1024.0 * Duration.between(begins, ends).toNanos() / 1e9;
    }
}
