package io.perpetua.client;

/**
 * The daemon answered 401: the call had no API key, or one it does not know or that was revoked.
 * Set {@value Perpetua#API_KEY_VARIABLE} or pass the key to {@link Perpetua#connect(String, String)}.
 */
public final class UnauthorizedException extends PerpetuaException {

    UnauthorizedException(String code, String message) {
        super(code, message, 401);
    }
}
