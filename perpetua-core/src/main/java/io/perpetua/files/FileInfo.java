package io.perpetua.files;

import java.time.Instant;
import java.util.Objects;

/**
 * A file in a sandbox, as its own kernel sees it.
 *
 * @param path          absolute path in the sandbox
 * @param type          {@code file}, {@code directory}, {@code symlink} or {@code other}
 * @param sizeBytes     size in bytes (of the link itself for a symlink)
 * @param mode          permission bits in octal, such as {@code 644}
 * @param modifiedAt    last modification time
 * @param symlinkTarget where a symlink points, or {@code null}
 */
public record FileInfo(String path, String type, long sizeBytes, String mode, Instant modifiedAt, String symlinkTarget) {

    /** Checks that the required parts are present. */
    public FileInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(modifiedAt, "modifiedAt");
    }
}
