package io.perpetua.client;

/** The daemon answered 403: the key is valid but may not do this, such as an ordinary key managing keys. */
public final class ForbiddenException extends PerpetuaException {

    ForbiddenException(String code, String message) {
        super(code, message, 403);
    }
}
