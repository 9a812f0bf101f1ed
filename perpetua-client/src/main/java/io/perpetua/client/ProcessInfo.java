package io.perpetua.client;

import java.time.Instant;
import java.util.List;

/**
 * A background process of a sandbox, as the daemon last described it.
 *
 * @param id        its id, the same through standby, hibernation and daemon restarts
 * @param name      the label it was started with, or null
 * @param cmd       the command line it was started with
 * @param pid       its pid inside the sandbox
 * @param status    {@code running}, {@code exited} or {@code killed}
 * @param exitCode  its exit code once it {@code exited}, else null
 * @param signal    the number of the signal that killed it, else null
 * @param keepAlive whether it keeps the sandbox awake while it runs
 * @param startedAt when it was started
 */
public record ProcessInfo(String id, String name, List<String> cmd, long pid, String status, Integer exitCode,
                          Integer signal, boolean keepAlive, Instant startedAt) {

    /** Copies the command line. */
    public ProcessInfo {
        cmd = List.copyOf(cmd);
    }

    /**
     * Whether the process still runs (or sleeps with its sandbox).
     *
     * @return true while the status is {@code running}
     */
    public boolean running() {
        return "running".equals(status);
    }

    static ProcessInfo from(JsonObject json) {
        return new ProcessInfo(json.string("id"), json.optionalString("name"), json.strings("cmd"), json.integer("pid"),
                json.string("status"), json.optionalInt32("exitCode"), json.optionalInt32("signal"),
                json.bool("keepAlive"), json.instant("startedAt"));
    }
}
