package io.perpetua.server.e2b;

import io.perpetua.error.ConflictException;
import io.perpetua.error.ForbiddenException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.error.QuotaExceededException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.error.UnauthenticatedException;
import java.util.Map;

/**
 * A Connect RPC error: one of Connect's codes ({@code not_found}, {@code invalid_argument}, …)
 * and a message. A unary call answers it with the code's HTTP status and {@code {"code",
 * "message"}}; a stream ends with it in its end-of-stream message, after an HTTP 200.
 */
final class ConnectError extends RuntimeException {

    private static final Map<String, Integer> STATUS = Map.ofEntries(
            Map.entry("canceled", 499), Map.entry("unknown", 500), Map.entry("invalid_argument", 400),
            Map.entry("deadline_exceeded", 504), Map.entry("not_found", 404), Map.entry("already_exists", 409),
            Map.entry("permission_denied", 403), Map.entry("resource_exhausted", 429), Map.entry("failed_precondition", 400),
            // Connect says 501 for an unknown method; the client reads the code in the body, and a method
            // that is not there is the caller's mistake, so it is answered like an unknown path.
            Map.entry("aborted", 409), Map.entry("out_of_range", 400), Map.entry("unimplemented", 404),
            Map.entry("internal", 500), Map.entry("unavailable", 503), Map.entry("data_loss", 500),
            Map.entry("unauthenticated", 401));

    private final String code;

    ConnectError(String code, String message) {
        super(message);
        if (!STATUS.containsKey(code)) {
            throw new IllegalArgumentException("no Connect code " + code);
        }
        this.code = code;
    }

    String code() {
        return code;
    }

    /** The HTTP status of this error's answer to a unary call. */
    int httpStatus() {
        return STATUS.get(code);
    }

    static ConnectError invalid(String message) {
        return new ConnectError("invalid_argument", message);
    }

    static ConnectError notFound(String message) {
        return new ConnectError("not_found", message);
    }

    /** The Connect error that tells the same as a Perpetua error. */
    static ConnectError of(PerpetuaException e) {
        String code = switch (e) {
            case InvalidInputException invalid -> "invalid_argument";
            case NotFoundException notFound -> "not_found";
            case ConflictException conflict -> conflict.code().endsWith("exists") ? "already_exists" : "failed_precondition";
            case UnauthenticatedException unauthenticated -> "unauthenticated";
            case ForbiddenException forbidden -> "permission_denied";
            case QuotaExceededException quota -> "resource_exhausted";
            case RuntimeFailureException failure -> "internal";
        };
        return new ConnectError(code, e.getMessage());
    }
}
