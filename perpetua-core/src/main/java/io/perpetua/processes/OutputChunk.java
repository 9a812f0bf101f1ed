package io.perpetua.processes;

import java.nio.charset.StandardCharsets;

/**
 * A piece of a process's output, in the order it was written.
 *
 * @param stream {@code stdout}, {@code stderr}, or {@code truncated} (the output limit was reached; nothing follows)
 * @param bytes  what was written; it ends on a whole character unless the process ended in the
 *               middle of one or cut one with output on its other stream
 * @param next   the offset just after this piece: resume reading there to get what follows
 */
public record OutputChunk(String stream, byte[] bytes, long next) {

    /** The bytes as UTF-8 text: a piece ends on a whole character, so it decodes on its own. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
