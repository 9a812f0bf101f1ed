package io.perpetua.server.e2b;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * What a streaming call's headers ask of its stream: a deadline ({@code Connect-Timeout-Ms},
 * none if absent) and how often to send a keep-alive ({@code Keepalive-Ping-Interval}, in seconds).
 */
record StreamLimits(long deadlineNanos, Duration keepalive) {

    private static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(50);
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    static StreamLimits of(Context ctx) {
        long timeoutMs = header(ctx, "Connect-Timeout-Ms", 0);
        long keepaliveSeconds = header(ctx, "Keepalive-Ping-Interval", DEFAULT_KEEPALIVE.toSeconds());
        long deadline = timeoutMs > 0 ? System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos() : NO_DEADLINE;
        return new StreamLimits(deadline, Duration.ofSeconds(Math.max(1, keepaliveSeconds)));
    }

    /** Whether the deadline has passed. */
    boolean expired() {
        return deadlineNanos != NO_DEADLINE && System.nanoTime() - deadlineNanos >= 0;
    }

    private static long header(Context ctx, String name, long fallback) {
        String value = ctx.header(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (!value.strip().matches("\\d{1,12}")) {
            throw ConnectError.invalid(name + " must be a whole number but was '" + value + "'");
        }
        return Long.parseLong(value.strip());
    }
}
