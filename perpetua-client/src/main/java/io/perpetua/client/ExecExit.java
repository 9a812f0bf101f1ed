package io.perpetua.client;

import java.time.Duration;

/**
 * How a command run with {@link Sandbox#execStreaming(ExecCommand, OutputListener)} ended; its
 * output went to the listener as it was written.
 *
 * @param exitCode its exit code
 * @param duration how long it ran
 * @param timedOut whether it was stopped because it ran past its timeout
 */
public record ExecExit(int exitCode, Duration duration, boolean timedOut) {

    static ExecExit from(JsonObject json) {
        return new ExecExit(json.int32("exitCode"), Duration.ofMillis(json.integer("durationMs")), json.bool("timedOut"));
    }
}
