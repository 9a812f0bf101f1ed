package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import io.perpetua.id.RandomIds;
import java.util.regex.Pattern;

/**
 * The identity of a sandbox: {@code sb} followed by 14 lowercase base-32 characters (70 random
 * bits). Every id has the same length because runsc resolves container ids by prefix, so ids of
 * different lengths could be ambiguous.
 *
 * @param value the textual id, such as {@code sbq3k7x2mfa4z5hd}
 */
public record SandboxId(String value) {

    /** Number of characters of every sandbox id. */
    public static final int LENGTH = 16;

    private static final Pattern FORMAT = Pattern.compile("sb[a-z2-7]{14}");

    /** @throws InvalidInputException if {@code value} is not a well-formed sandbox id */
    public SandboxId {
        InvalidInputException.check(value != null && FORMAT.matcher(value).matches(), "id",
                "sandbox id must be 'sb' followed by 14 characters of [a-z2-7] but was '" + value + "'");
    }

    /** A fresh random id. */
    public static SandboxId random() {
        return new SandboxId(RandomIds.next("sb", LENGTH - 2));
    }

    /** Parses {@code value}; a malformed id can name no sandbox, so callers may treat it as not found. */
    public static SandboxId of(String value) {
        return new SandboxId(value);
    }

    /** Whether {@code value} is a well-formed id. */
    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
