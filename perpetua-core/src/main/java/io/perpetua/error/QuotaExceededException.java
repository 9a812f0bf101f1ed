package io.perpetua.error;

/** The caller's project is at one of its limits (sandboxes, running sandboxes); nothing was changed. */
public final class QuotaExceededException extends PerpetuaException {

    /**
     * @param code    stable error code, such as {@code project_running_limit}
     * @param message human-readable explanation naming the limit and how to get under it
     */
    public QuotaExceededException(String code, String message) {
        super(code, message, null);
    }
}
