package io.perpetua.error;

/**
 * Something below the API failed: the sandbox runtime, the disk, the store. The request was
 * valid; the message says what failed and for which sandbox.
 */
public final class RuntimeFailureException extends PerpetuaException {

    /**
     * @param code    stable error code, such as {@code runtime_failure} or {@code snapshot_corrupt}
     * @param message what failed, with enough context to act on
     * @param cause   the underlying error, or {@code null}
     */
    public RuntimeFailureException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }

    /** A failure of the sandbox runtime with the default code {@code runtime_failure}. */
    public RuntimeFailureException(String message, Throwable cause) {
        this("runtime_failure", message, cause);
    }

    /** A failure of the sandbox runtime with the default code and no cause. */
    public RuntimeFailureException(String message) {
        this("runtime_failure", message, null);
    }
}
