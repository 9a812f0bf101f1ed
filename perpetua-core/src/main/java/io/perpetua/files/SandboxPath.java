package io.perpetua.files;

import io.perpetua.error.InvalidInputException;

/**
 * A path inside a sandbox. It is always resolved by the sandbox's own kernel, inside its own
 * root, so {@code ..} and symlinks, however hostile, can never reach a file of the host.
 *
 * @param value an absolute path, at most 4096 characters, without NUL
 */
public record SandboxPath(String value) {

    /** Longest path accepted, as Linux's PATH_MAX. */
    public static final int MAX_LENGTH = 4096;

    /** @throws InvalidInputException naming {@code path} if the value is not an absolute path */
    public SandboxPath {
        InvalidInputException.check(value != null && !value.isEmpty(), "path", "path is required");
        InvalidInputException.check(value.startsWith("/"), "path", "path must be absolute but was '" + value + "'");
        InvalidInputException.check(value.indexOf('\0') < 0, "path", "path must not contain a NUL character");
        InvalidInputException.check(value.length() <= MAX_LENGTH, "path",
                "path must be at most " + MAX_LENGTH + " characters but has " + value.length());
    }

    /** Validates {@code value} as the path given in {@code field}, naming that field on error. */
    public static SandboxPath of(String value, String field) {
        try {
            return new SandboxPath(value);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(field, e.getMessage().replaceFirst("^path", field));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
