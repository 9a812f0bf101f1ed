package io.perpetua.server.e2b;

/**
 * An answer of the E2B control plane that is not a success: E2B's {@code {"code": status,
 * "message": …}}. The SDK reads the code in the body (404 → NotFoundError, 409 → "already
 * paused", …), so the body carries the HTTP status too.
 */
final class E2bException extends RuntimeException {

    private final int status;

    E2bException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static E2bException badRequest(String message) {
        return new E2bException(400, message);
    }

    static E2bException notFound(String id) {
        return new E2bException(404, "sandbox " + id + " not found");
    }
}
