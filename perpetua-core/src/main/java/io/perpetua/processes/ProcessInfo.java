package io.perpetua.processes;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A background process of a sandbox.
 *
 * @param id        stable id, the same through standby, hibernation and daemon restarts
 * @param name      the caller's label, or {@code null}
 * @param cmd       what was started
 * @param pid       its pid inside the sandbox
 * @param status    {@code running}, {@code exited} or {@code killed}
 * @param exitCode  its exit code once it {@code exited}, else {@code null}
 * @param signal    the signal that killed it, else {@code null}
 * @param keepAlive whether it keeps the sandbox awake while it runs
 * @param startedAt when it was started
 */
public record ProcessInfo(String id, String name, List<String> cmd, long pid, String status, Integer exitCode,
                          Integer signal, boolean keepAlive, Instant startedAt) {

    /** Checks the required parts. */
    public ProcessInfo {
        Objects.requireNonNull(id, "id");
        cmd = List.copyOf(cmd);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** Whether the process still runs (or sleeps with its sandbox). */
    public boolean running() {
        return status.equals("running");
    }
}
