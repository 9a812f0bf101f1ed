package io.perpetua.error;

import java.util.Objects;

/** The caller sent a value that is malformed or out of range; {@link #field()} names it. */
public final class InvalidInputException extends PerpetuaException {

    private final String field;

    /**
     * @param field   the offending field, in the dotted form the caller used ({@code env.PATH})
     * @param message human-readable explanation naming the field and the bad value
     */
    public InvalidInputException(String field, String message) {
        super("invalid_input", message, null);
        this.field = Objects.requireNonNull(field, "field");
    }

    /** The name of the field that was rejected. */
    public String field() {
        return field;
    }

    /** Throws an {@link InvalidInputException} for {@code field} unless {@code condition} holds. */
    public static void check(boolean condition, String field, String message) {
        if (!condition) {
            throw new InvalidInputException(field, message);
        }
    }
}
