package io.perpetua.server.api;

import io.perpetua.sandbox.ExecResult;

/** The answer of {@code POST /v1/sandboxes/{id}/exec}. */
record ExecView(int exitCode, String stdout, String stderr, long durationMs, boolean timedOut, boolean truncated) {

    static ExecView of(ExecResult result) {
        return new ExecView(result.exitCode(), result.stdout(), result.stderr(), result.duration().toMillis(),
                result.timedOut(), result.truncated());
    }
}
