package io.perpetua.server.e2b;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop of a server-streaming call that follows something in the sandbox (a process's
 * output, a directory's changes): each step sends what is new; between idle steps it waits,
 * briefly at first (most commands end within their first second, and a wait is latency the
 * caller sees) and up to {@value #LONGEST_WAIT_MS} ms later on, sends a keep-alive message at
 * the asked interval, and ends the stream with {@code deadline_exceeded} at the call's deadline.
 */
final class StreamRelay {

    /** What one step of the source found. */
    enum Step {
        /** It sent something: step again at once. */
        SENT,
        /** Nothing new yet. */
        IDLE,
        /** It sent its last message: the stream is over. */
        DONE
    }

    /** Sends what is new, if anything. */
    @FunctionalInterface
    interface Source {
        Step step();
    }

    private static final long FIRST_WAIT_NANOS = Duration.ofMillis(1).toNanos();
    private static final long YOUNG_WAIT_NANOS = Duration.ofMillis(5).toNanos();
    private static final long YOUNG_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long LONGEST_WAIT_MS = 50;

    private StreamRelay() {
    }

    /**
     * Steps {@code source} until it is done, then ends the stream well.
     *
     * @throws java.io.UncheckedIOException when the client went away
     */
    static void run(Source source, ConnectStream out, StreamLimits limits, Object keepalive, String whatGoesOn) {
        long wait = FIRST_WAIT_NANOS;
        long started = System.nanoTime();
        long nextKeepalive = started + limits.keepalive().toNanos();
        while (true) {
            Step step = source.step();
            if (step == Step.DONE) {
                out.end();
                return;
            }
            if (limits.expired()) {
                out.end(new ConnectError("deadline_exceeded", "the call's deadline passed; " + whatGoesOn));
                return;
            }
            if (step == Step.SENT) {
                wait = FIRST_WAIT_NANOS;
                continue;
            }
            if (System.nanoTime() - nextKeepalive >= 0) {
                out.send(keepalive);
                nextKeepalive = System.nanoTime() + limits.keepalive().toNanos();
            }
            LockSupport.parkNanos(wait);
            long longest = System.nanoTime() - started < YOUNG_NANOS ? YOUNG_WAIT_NANOS : Duration.ofMillis(LONGEST_WAIT_MS).toNanos();
            wait = Math.min(wait * 2, longest);
        }
    }
}
