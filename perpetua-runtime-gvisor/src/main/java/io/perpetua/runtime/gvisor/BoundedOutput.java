package io.perpetua.runtime.gvisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one output stream of a command until its end, keeping at most {@code limit} bytes and
 * draining the rest so the command never blocks on a full pipe. Readable at any time: a
 * command's background children may hold the pipe open long after the command has exited.
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

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                keep(buffer, n);
            }
        } catch (IOException e) {
            // The pipe was closed under us: what was read so far is the output.
        }
    }

    private synchronized void keep(byte[] buffer, int n) {
        int room = limit - kept.size();
        if (n > room) {
            truncated = true;
        }
        kept.write(buffer, 0, Math.max(0, Math.min(n, room)));
    }

    synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8);
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
