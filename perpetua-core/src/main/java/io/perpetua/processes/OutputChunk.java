package io.perpetua.processes;

/**
 * A piece of a process's output, in the order it was written.
 *
 * @param stream {@code stdout}, {@code stderr}, or {@code truncated} (the output limit was reached; nothing follows)
 * @param bytes  what was written
 * @param next   the offset just after this piece: resume reading there to get what follows
 */
public record OutputChunk(String stream, byte[] bytes, long next) {
}
