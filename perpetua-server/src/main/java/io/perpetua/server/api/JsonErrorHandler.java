package io.perpetua.server.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers to requests it refuses before any route sees them (a malformed request line,
 * an ambiguous or undecodable URI, oversized headers), in the API's error format instead of an
 * HTML page, so that every error a client gets is JSON with a stable code.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final JsonCodec json;

    JsonErrorHandler(JsonCodec json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        // A request line without HTTP/1.x in it is not another version of HTTP but no HTTP at all: the caller's error.
        int status = code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 ? HttpStatus.BAD_REQUEST_400 : code;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, body(status, message), callback);
    }

    /** Jetty writes an error body only for GET, POST and HEAD unless told otherwise; the API's errors always have one. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    private ByteBuffer body(int status, String reason) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", status == 400 ? "bad_request" : "http_" + status);
        error.put("message", "the daemon could not read this request (HTTP " + status + (reason == null ? "" : ": " + reason) + ")");
        return ByteBuffer.wrap(json.write(Map.of("error", error)).getBytes(StandardCharsets.UTF_8));
    }
}
