package io.perpetua.server.api;

import io.perpetua.error.ConflictException;
import io.perpetua.error.ForbiddenException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.error.QuotaExceededException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.error.UnauthenticatedException;

/** The HTTP status of each kind of error, the same through every door of the daemon (/v1, E2B). */
public final class HttpStatuses {

    private HttpStatuses() {
    }

    /** The status that answers {@code e}. */
    public static int of(PerpetuaException e) {
        return switch (e) {
            case InvalidInputException invalid -> 400;
            case NotFoundException notFound -> 404;
            case ConflictException conflict -> 409;
            case RuntimeFailureException failure -> 500;
            case UnauthenticatedException unauthenticated -> 401;
            case ForbiddenException forbidden -> 403;
            case QuotaExceededException quota -> 429;
        };
    }
}
