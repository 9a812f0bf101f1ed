package io.perpetua.client;

/** The daemon answered 404: the sandbox, process, file or route does not exist (deleted sandboxes included). */
public final class NotFoundException extends PerpetuaException {

    NotFoundException(String code, String message) {
        super(code, message, 404);
    }
}
