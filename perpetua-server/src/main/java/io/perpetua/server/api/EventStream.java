package io.perpetua.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A server-sent-events answer, written as events happen. */
final class EventStream {

    private final OutputStream out;

    private EventStream(OutputStream out) {
        this.out = out;
    }

    /** Whether the caller asked for a stream of events rather than one JSON answer. */
    static boolean wanted(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/event-stream");
    }

    /** Commits the answer as an event stream. */
    static EventStream open(Context ctx) {
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no");
        try {
            EventStream stream = new EventStream(ctx.res().getOutputStream());
            stream.out.flush();
            return stream;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends one event; {@code data} may hold newlines (each line becomes a {@code data:} line,
     * which clients join back with newlines). {@code id} may be null.
     *
     * @throws UncheckedIOException when the caller went away
     */
    void send(String event, String id, String data) {
        StringBuilder text = new StringBuilder();
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        text.append("event: ").append(event).append('\n');
        for (String line : data.split("\r?\n|\r", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        write(text.append('\n').toString());
    }

    /** A comment line, which keeps idle connections (and their proxies) from timing out. */
    void heartbeat() {
        write(": keep-alive\n\n");
    }

    private void write(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
