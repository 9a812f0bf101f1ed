package io.perpetua.client;

import java.util.Locale;

/** What a {@link VolumeInfo} is: a volume, with one writer at a time, or a drive, written by many sandboxes at once. */
public enum VolumeKind {

    /**
     * A file system of a fixed size that outlives the sandboxes that mount it, written by one
     * sandbox at a time; any number may mount it read-only. See {@link Perpetua#volumes()}.
     */
    VOLUME,

    /**
     * A file system that any number of sandboxes mount and write at once: what one writes, the
     * others read at once. See {@link Perpetua#drives()}.
     */
    DRIVE;

    /**
     * The kind as the API writes it.
     *
     * @return {@code volume} or {@code drive}
     */
    public String apiValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind the API calls {@code value}. */
    static VolumeKind of(String value, String field) {
        for (VolumeKind kind : values()) {
            if (kind.apiValue().equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(field + " must be volume or drive but was \"" + value + "\"");
    }
}
