package io.perpetua.client;

/**
 * The daemon answered 429: the project is at one of its limits ({@code project_sandbox_limit},
 * {@code project_running_limit}); nothing was changed. Delete a sandbox or put one in standby, then retry.
 */
public final class QuotaExceededException extends PerpetuaException {

    QuotaExceededException(String code, String message) {
        super(code, message, 429);
    }
}
