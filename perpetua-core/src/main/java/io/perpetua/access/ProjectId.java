package io.perpetua.access;

import io.perpetua.error.InvalidInputException;
import java.util.regex.Pattern;

/**
 * A project (tenant): the owner of sandboxes and API keys. A key sees only its project's sandboxes.
 *
 * @param value the project's name, 1-63 characters of {@code [a-z0-9-]}, starting with a letter or digit
 */
public record ProjectId(String value) {

    // Before DEFAULT: static fields are set in order, and DEFAULT's constructor checks the format.
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** The project of the first admin key, and of every sandbox made before projects existed. */
    public static final ProjectId DEFAULT = new ProjectId("default");

    /** @throws InvalidInputException if {@code value} is not a well-formed project name */
    public ProjectId {
        InvalidInputException.check(value != null && FORMAT.matcher(value).matches(), "project",
                "project must be 1-63 characters of [a-z0-9-] starting with a letter or digit but was '" + value + "'");
    }

    /** Parses {@code value}. */
    public static ProjectId of(String value) {
        return new ProjectId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
