package io.perpetua.client;

import java.time.Instant;

/**
 * A file in a sandbox, as the sandbox's own kernel sees it.
 *
 * @param path          its absolute path in the sandbox
 * @param type          {@code file}, {@code directory}, {@code symlink} or {@code other}
 * @param sizeBytes     its size in bytes (of the link itself for a symlink)
 * @param mode          its permission bits in octal, such as {@code 644}
 * @param modifiedAt    when it was last modified
 * @param symlinkTarget where a symlink points, or null
 */
public record FileInfo(String path, String type, long sizeBytes, String mode, Instant modifiedAt, String symlinkTarget) {

    /**
     * Whether this is a directory.
     *
     * @return true for the type {@code directory}
     */
    public boolean isDirectory() {
        return "directory".equals(type);
    }

    static FileInfo from(JsonObject json) {
        return new FileInfo(json.string("path"), json.string("type"), json.integer("sizeBytes"), json.string("mode"),
                json.instant("modifiedAt"), json.optionalString("symlinkTarget"));
    }
}
