package io.perpetua.server.e2b;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The loop of a server-streaming call that follows something in the sandbox (a process's
 * output, a directory's changes): each step sends what is new; between idle steps it waits
 * until the source hears news or, for a source that cannot, briefly at first (most commands end
 * within their first second, and a wait is latency the caller sees) and up to
 * {@value #LONGEST_WAIT_MS} ms later on; it sends a keep-alive message at the asked interval,
 * and ends the stream with {@code deadline_exceeded} at the call's deadline.
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

    /** Waits for the source to have news. */
    @FunctionalInterface
    interface Waiter {
        /** Waits up to {@code nanos} for news; may return early. */
        void await(long nanos);

        /** Whether news ends a wait as soon as it comes, so that waiting long costs no latency. */
        default boolean hearsNews() {
            return false;
        }
    }

    private static final long FIRST_WAIT_NANOS = Duration.ofMillis(1).toNanos();
    private static final long YOUNG_WAIT_NANOS = Duration.ofMillis(5).toNanos();
    private static final long YOUNG_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long LONGEST_WAIT_MS = 50;
    /** How long a wait for a source that hears news may be: the deadline is looked at in between. */
    private static final long NEWS_WAIT_NANOS = Duration.ofSeconds(1).toNanos();

    private StreamRelay() {
    }

    /** A waiter of {@code await}, which hears news while {@code hearsNews} says so. */
    static Waiter waiter(LongConsumer await, BooleanSupplier hearsNews) {
        return new Waiter() {
            @Override
            public void await(long nanos) {
                await.accept(nanos);
            }

            @Override
            public boolean hearsNews() {
                return hearsNews.getAsBoolean();
            }
        };
    }

    /**
     * Steps {@code source} until it is done, then ends the stream well; between idle steps,
     * {@code waiter} waits (a source that hears of news ends the wait early).
     *
     * @throws java.io.UncheckedIOException when the client went away
     */
    static void run(Source source, Waiter waiter, ConnectStream out, StreamLimits limits, Object keepalive, String whatGoesOn) {
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
            if (waiter.hearsNews()) {
                waiter.await(Math.max(1, Math.min(NEWS_WAIT_NANOS, nextKeepalive - System.nanoTime())));
                continue;
            }
            waiter.await(wait);
            long longest = System.nanoTime() - started < YOUNG_NANOS ? YOUNG_WAIT_NANOS : Duration.ofMillis(LONGEST_WAIT_MS).toNanos();
            wait = Math.min(wait * 2, longest);
        }
    }
}
