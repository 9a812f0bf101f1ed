package io.perpetua.client;

/**
 * A call to the daemon that failed. {@link #code()} is the daemon's stable error code (such as
 * {@code sandbox_not_found} or {@code invalid_argument}), or one of this SDK's own codes below
 * when no usable answer came; {@link #status()} is the HTTP status, or 0 when there was none.
 *
 * <p>The subclass follows the status: {@link InvalidRequestException} (400),
 * {@link UnauthorizedException} (401), {@link ForbiddenException} (403), {@link NotFoundException} (404),
 * {@link ConflictException} (409), {@link QuotaExceededException} (429) and {@link ServerException}
 * (5xx). An error answer without the daemon's error body gets the code {@code http_<status>}.
 */
public sealed class PerpetuaException extends RuntimeException
        permits InvalidRequestException, UnauthorizedException, ForbiddenException, NotFoundException, ConflictException,
        QuotaExceededException, ServerException {

    /** Code of a daemon that could not be reached: nothing listens at the URL, or connecting timed out. */
    public static final String UNREACHABLE = "unreachable";

    /** Code of a connection that broke off after the request was sent, before the whole answer came. */
    public static final String CONNECTION_LOST = "connection_lost";

    /** Code of an answer this SDK could not read, such as a body that is not the JSON it expected. */
    public static final String BAD_RESPONSE = "bad_response";

    /** Code of a wait interrupted by {@link Thread#interrupt()}; the thread's interrupt flag is set again. */
    public static final String INTERRUPTED = "interrupted";

    /** The stable error code: the daemon's, {@code http_<status>}, or one of this class's constants. */
    private final String code;

    /** The HTTP status of the answer, or 0 when none came. */
    private final int status;

    PerpetuaException(String code, String message, int status, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
    }

    PerpetuaException(String code, String message, int status) {
        this(code, message, status, null);
    }

    /**
     * A stable, machine-readable identifier of the kind of error.
     *
     * @return the daemon's error code, {@code http_<status>}, or one of the constants of this class
     */
    public String code() {
        return code;
    }

    /**
     * The HTTP status of the daemon's answer.
     *
     * @return the status, or 0 when no answer came
     */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return getClass().getName() + ": " + getMessage() + " (" + code + (status == 0 ? "" : ", HTTP " + status) + ")";
    }
}
