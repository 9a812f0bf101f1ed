package io.perpetua.error;

/** The caller did not say who it is, or said it with a key that is unknown or revoked. */
public final class UnauthenticatedException extends PerpetuaException {

    /**
     * @param message human-readable explanation of what was missing or wrong, never echoing the key
     */
    public UnauthenticatedException(String message) {
        super("unauthorized", message, null);
    }
}
