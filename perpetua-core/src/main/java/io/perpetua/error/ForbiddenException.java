package io.perpetua.error;

/**
 * The caller is known but may not do this (an ordinary key managing keys). Never used for
 * another project's sandbox: that one answers "not found", so ids cannot be probed.
 */
public final class ForbiddenException extends PerpetuaException {

    /**
     * @param message human-readable explanation naming what the caller lacks
     */
    public ForbiddenException(String message) {
        super("forbidden", message, null);
    }
}
