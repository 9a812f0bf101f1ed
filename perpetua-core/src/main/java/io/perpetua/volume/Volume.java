package io.perpetua.volume;

import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Storage of a project that outlives its sandboxes: a file system of its own on the host, of a
 * fixed size, mounted into sandboxes at paths they choose.
 *
 * @param id        unique id ({@code vol…} or {@code drv…})
 * @param name      its name, unique among the live ones of its kind in its project
 * @param project   who owns it
 * @param kind      a volume (one writer at a time) or a drive (shared by many writers)
 * @param sizeMb    the size of its file system, in MiB
 * @param createdAt when it was made
 */
public record Volume(String id, String name, ProjectId project, Kind kind, int sizeMb, Instant createdAt) {

    /** Smallest and largest size, in MiB. */
    public static final int MIN_SIZE_MB = 16;
    public static final int MAX_SIZE_MB = 16 * 1024 * 1024;
    /** The size of a drive made without one: sparse, so it takes only what is written. */
    public static final int DEFAULT_DRIVE_SIZE_MB = 10 * 1024;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern ID = Pattern.compile("(vol|drv)[a-z2-7]{13}");

    /** What a volume promises its writers. */
    public enum Kind {
        /** Written by one sandbox at a time, read by any number. */
        VOLUME("vol", "volume"),
        /** Written and read by any number of sandboxes at once. */
        DRIVE("drv", "drive");

        private final String prefix;
        private final String word;

        Kind(String prefix, String word) {
            this.prefix = prefix;
            this.word = word;
        }

        /** The start of the ids of this kind. */
        public String prefix() {
            return prefix;
        }

        /** The word the API uses for it: {@code volume} or {@code drive}. */
        public String word() {
            return word;
        }
    }

    /** Checks that every part is present and well formed. */
    public Volume {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        checkName(name);
        checkSize(sizeMb);
    }

    /**
     * @throws InvalidInputException naming {@code name} unless it is 1-63 characters of
     *                               {@code [a-z0-9_-]} starting with a letter or digit (no dots,
     *                               so never {@code ..}), and not shaped like an id (which a
     *                               reference by name would be taken for)
     */
    public static void checkName(String name) {
        InvalidInputException.check(name != null && NAME.matcher(name).matches(), "name",
                "name must be 1-63 characters of [a-z0-9_-], starting with a letter or digit, but was '" + name + "'");
        InvalidInputException.check(!isId(name), "name", "name '" + name + "' has the shape of a volume id; choose another");
    }

    /** @throws InvalidInputException naming {@code sizeMb} if it is out of range */
    public static void checkSize(int sizeMb) {
        InvalidInputException.check(sizeMb >= MIN_SIZE_MB && sizeMb <= MAX_SIZE_MB, "sizeMb",
                "sizeMb must be between " + MIN_SIZE_MB + " and " + MAX_SIZE_MB + " but was " + sizeMb);
    }

    /** Whether {@code value} has the shape of a volume or drive id (so it names no volume by name). */
    public static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }
}
