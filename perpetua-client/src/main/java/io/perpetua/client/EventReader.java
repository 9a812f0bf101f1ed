package io.perpetua.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads server-sent events ({@code text/event-stream}) from an answer's body: {@code id:},
 * {@code event:} and {@code data:} lines up to a blank line make an event; several data lines
 * are joined with newlines; comment lines (heartbeats) are skipped. An event cut off by the end
 * of the stream is never returned, so a dropped connection cannot yield half an event.
 */
final class EventReader {

    /** One event: {@code id} may be null; {@code name} is {@code message} when the stream gave none. */
    record Event(String id, String name, String data) {
    }

    private final BufferedReader lines;

    EventReader(InputStream body) {
        this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /**
     * The next complete event.
     *
     * @return the event, or null when the stream ended
     * @throws IOException when the connection failed
     */
    Event next() throws IOException {
        String id = null;
        String name = null;
        StringBuilder data = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(id, name == null ? "message" : name, data.toString());
                }
                id = null;
                name = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + (line.startsWith(" ", colon + 1) ? 2 : 1));
            switch (field) {
                case "id" -> id = value;
                case "event" -> name = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // "retry" and unknown fields do not concern these streams.
                }
            }
        }
        return null;
    }
}
