package io.perpetua.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How a command ended.
 *
 * @param exitCode  the command's exit status; 128+N if killed by signal N, 127 if it could not be started
 * @param stdout    what it wrote to standard output (decoded as UTF-8, cut at the capture limit between characters)
 * @param stderr    what it wrote to standard error (decoded as UTF-8, cut at the capture limit between characters)
 * @param duration  wall time from start to exit
 * @param timedOut  whether it was killed because its timeout passed
 * @param truncated whether output beyond the capture limit was dropped
 */
public record ExecResult(int exitCode, String stdout, String stderr, Duration duration, boolean timedOut, boolean truncated) {

    /** Checks that the texts and the duration are present. */
    public ExecResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(duration, "duration");
    }
}
