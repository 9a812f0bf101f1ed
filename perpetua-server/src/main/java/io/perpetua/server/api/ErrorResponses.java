package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.server.metrics.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    static final String ERROR_CODE_HEADER = "Perpetua-Error-Code";
    static final String ERROR_FIELD_HEADER = "Perpetua-Error-Field";

    private final JsonCodec json;
    private final Metrics metrics;

    ErrorResponses(JsonCodec json, Metrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    void handle(PerpetuaException e, Context ctx) {
        int status = HttpStatuses.of(e);
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"perpetua\"");
        }
        if (status == 500) {
            log.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage(), e);
        }
        String field = e instanceof InvalidInputException invalid ? invalid.field() : null;
        send(ctx, status, e.code(), e.getMessage(), field);
    }

    /**
     * Answers a WebSocket request that failed its check before the upgrade. Javalin does not
     * write the result of a request it meant to upgrade, so the error is written and committed
     * here, which also stops the upgrade.
     */
    void refuseUpgrade(PerpetuaException e, Context ctx) {
        handle(e, ctx);
        // WebSocket clients (the JDK's among them) often show a refused handshake's headers but not its body.
        ctx.header(ERROR_CODE_HEADER, e.code());
        if (e instanceof InvalidInputException invalid && invalid.field() != null) {
            ctx.header(ERROR_FIELD_HEADER, invalid.field());
        }
        byte[] body = ctx.result() == null ? new byte[0] : ctx.result().getBytes(StandardCharsets.UTF_8);
        try {
            ctx.res().setContentLength(body.length);
            ctx.res().getOutputStream().write(body);
            ctx.res().flushBuffer();
        } catch (IOException io) {
            log.debug("could not answer a refused WebSocket request to {}: {}", ctx.path(), io.getMessage());
        }
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
