package io.perpetua.client;

import java.time.Duration;

/**
 * What a command run with {@link Sandbox#exec(ExecCommand)} did.
 *
 * @param exitCode  its exit code
 * @param stdout    its standard output, decoded as UTF-8
 * @param stderr    its standard error, decoded as UTF-8
 * @param duration  how long it ran
 * @param timedOut  whether it was stopped because it ran past its timeout
 * @param truncated whether output beyond the daemon's limit (8 MiB per stream) was dropped
 */
public record ExecResult(int exitCode, String stdout, String stderr, Duration duration, boolean timedOut,
                         boolean truncated) {

    static ExecResult from(JsonObject json) {
        return new ExecResult(json.int32("exitCode"), json.string("stdout"), json.string("stderr"),
                Duration.ofMillis(json.integer("durationMs")), json.bool("timedOut"), json.bool("truncated"));
    }
}
