package io.perpetua.error;

/**
 * Base of the small unchecked hierarchy every layer throws. Each subclass carries a stable,
 * machine-readable {@link #code()}; the HTTP layer maps the class to a status in one place.
 */
public abstract sealed class PerpetuaException extends RuntimeException
        permits NotFoundException, ConflictException, InvalidInputException, RuntimeFailureException,
        UnauthenticatedException, ForbiddenException, QuotaExceededException {

    private final String code;

    PerpetuaException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A stable identifier of the kind of error, such as {@code sandbox_not_found}. */
    public String code() {
        return code;
    }
}
