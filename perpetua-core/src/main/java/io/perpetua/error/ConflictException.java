package io.perpetua.error;

/** The request is well formed but the resource's current state does not allow it. */
public final class ConflictException extends PerpetuaException {

    /**
     * @param code    stable error code, such as {@code sandbox_busy}
     * @param message human-readable explanation naming the state that prevents the operation
     */
    public ConflictException(String code, String message) {
        super(code, message, null);
    }
}
