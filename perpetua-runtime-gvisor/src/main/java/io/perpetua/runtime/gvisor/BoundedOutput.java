package io.perpetua.runtime.gvisor;

import io.perpetua.text.Utf8Decoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One output stream of a command, at most {@code limit} bytes of it kept: read from a pipe until
 * its end ({@link #run()}, draining the rest so the command never blocks on a full pipe), or
 * handed over in pieces ({@link #keep}). Readable at any time: a command's background children
 * may hold the pipe open long after the command has exited.
 */
final class BoundedOutput implements Runnable {

    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    BoundedOutput(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /** An output whose bytes arrive through {@link #keep}. */
    BoundedOutput(int limit) {
        this(InputStream.nullInputStream(), limit);
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                keep(buffer, 0, n);
            }
        } catch (IOException e) {
            // The pipe was closed under us: what was read so far is the output.
        }
    }

    synchronized void keep(byte[] buffer, int offset, int n) {
        int room = limit - kept.size();
        if (n > room) {
            truncated = true;
        }
        kept.write(buffer, offset, Math.max(0, Math.min(n, room)));
    }

    /** The bytes kept, decoded; when the limit cut the output inside a character, the text ends before it. */
    synchronized String text() {
        if (!truncated) {
            return kept.toString(StandardCharsets.UTF_8);
        }
        byte[] bytes = kept.toByteArray();
        return Utf8Decoder.wholeCharacters(bytes, 0, bytes.length);
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
