package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.server.metrics.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become HTTP answers: {@code {"error": {"code", "message", "field"?}}}
 * with 400 for bad input, 404 for unknown resources, 409 for state conflicts and 500 for
 * failures below the API.
 */
final class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    private final JsonCodec json;
    private final Metrics metrics;

    ErrorResponses(JsonCodec json, Metrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    void handle(PerpetuaException e, Context ctx) {
        int status = switch (e) {
            case InvalidInputException invalid -> 400;
            case NotFoundException notFound -> 404;
            case ConflictException conflict -> 409;
            case RuntimeFailureException failure -> 500;
        };
        if (status == 500) {
            log.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage(), e);
        }
        String field = e instanceof InvalidInputException invalid ? invalid.field() : null;
        send(ctx, status, e.code(), e.getMessage(), field);
    }

    /** Javalin's own answers (no such route, method not allowed, body too large) in our format. */
    void http(HttpResponseException e, Context ctx) {
        String code = switch (e.getStatus()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "body_too_large";
            default -> "http_" + e.getStatus();
        };
        String message = switch (e.getStatus()) {
            case 404 -> "no route for " + ctx.method() + " " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path();
            default -> e.getMessage();
        };
        send(ctx, e.getStatus(), code, message, null);
    }

    void unexpected(Exception e, Context ctx) {
        log.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e);
        send(ctx, 500, "internal_error", "the daemon failed unexpectedly: " + e.getClass().getSimpleName(), null);
    }

    void send(Context ctx, int status, String code, String message, String field) {
        metrics.apiError(code);
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (field != null) {
            error.put("field", field);
        }
        ctx.status(status).contentType("application/json").result(json.write(Map.of("error", error)));
    }
}
