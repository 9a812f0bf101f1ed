package io.perpetua.client;

/**
 * A piece of a process's output, in the order it was written.
 *
 * @param stream {@code stdout}, {@code stderr}, or {@code truncated} when the output limit
 *               (16 MiB) was reached and nothing more was kept
 * @param data   what was written, decoded as UTF-8
 * @param offset the byte offset just after this piece: read from there to get what follows
 */
public record LogEvent(String stream, String data, long offset) {

    static LogEvent from(JsonObject json) {
        return new LogEvent(json.string("stream"), json.string("data"), json.integer("next"));
    }
}
