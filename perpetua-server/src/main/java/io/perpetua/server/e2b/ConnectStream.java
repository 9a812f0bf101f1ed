package io.perpetua.server.e2b;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A server-streaming Connect RPC answer over HTTP/1.1 with JSON: HTTP 200 with
 * {@code application/connect+json}, then envelopes ({@code flags:u8, length:u32 big-endian,
 * JSON}): data messages with flags 0, and one end-of-stream message with flags 2, {@code {}}
 * or {@code {"error": {"code", "message"}}}. Errors are told in-band, since the client reads
 * any other HTTP status as "unimplemented" or the like.
 */
final class ConnectStream {

    static final String CONTENT_TYPE = "application/connect+json";
    private static final byte DATA = 0;
    private static final byte END_STREAM = 2;
    private static final byte COMPRESSED = 1;
    /** The request of a server-streaming call is one small message; more is not a request. */
    private static final int MAX_REQUEST = 4 * 1024 * 1024;

    private final OutputStream out;
    private final JsonMapper json;

    private ConnectStream(OutputStream out, JsonMapper json) {
        this.out = out;
        this.json = json;
    }

    /** Whether the request is a streaming call's (its body an envelope) rather than a unary call's. */
    static boolean requested(Context ctx) {
        String type = ctx.header("Content-Type");
        return type != null && type.startsWith(CONTENT_TYPE);
    }

    /** The message of a streaming call's request: the JSON in its one envelope. */
    static JsonNode request(Context ctx, JsonMapper json) {
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(MAX_REQUEST + 5);
        } catch (IOException e) {
            throw ConnectError.invalid("the request body could not be read: " + e.getMessage());
        }
        if (body.length < 5) {
            throw ConnectError.invalid("a streaming request is one envelope: 5 bytes of header, then the message");
        }
        ByteBuffer envelope = ByteBuffer.wrap(body);
        byte flags = envelope.get();
        int length = envelope.getInt();
        if ((flags & COMPRESSED) != 0) {
            throw new ConnectError("unimplemented", "compressed messages are not supported");
        }
        if (length < 0 || length > body.length - 5) {
            throw ConnectError.invalid("the envelope says " + length + " bytes but " + (body.length - 5) + " came");
        }
        return Rpc.parse(json, new String(body, 5, length, StandardCharsets.UTF_8));
    }

    /** Commits the answer as a stream. */
    static ConnectStream open(Context ctx, JsonMapper json) {
        ctx.status(200).contentType(CONTENT_TYPE);
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.flush();
            return new ConnectStream(out, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends one message.
     *
     * @throws UncheckedIOException when the client went away
     */
    void send(Object message) {
        write(DATA, json.writeValueAsBytes(message));
    }

    /** Ends the stream well. */
    void end() {
        write(END_STREAM, "{}".getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the stream with {@code error}. */
    void end(ConnectError error) {
        write(END_STREAM, json.writeValueAsBytes(Map.of("error", Map.of("code", error.code(), "message", String.valueOf(error.getMessage())))));
    }

    private void write(byte flags, byte[] message) {
        ByteBuffer header = ByteBuffer.allocate(5).put(flags).putInt(message.length);
        try {
            out.write(header.array());
            out.write(message);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
