package io.perpetua.client;

/**
 * The daemon answered 409: the sandbox's state forbids the operation, such as a sandbox that
 * {@code failed} without a snapshot to restore ({@code sandbox_failed}).
 */
public final class ConflictException extends PerpetuaException {

    ConflictException(String code, String message) {
        super(code, message, 409);
    }
}
