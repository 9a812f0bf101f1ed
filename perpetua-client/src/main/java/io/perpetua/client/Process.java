package io.perpetua.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A handle on one background process of a sandbox: its input, signals and output. Its output
 * is kept by the sandbox and read by byte offset, so nothing is lost between reads, across
 * reconnections, standby, hibernation or daemon restarts. A handle is thread-safe.
 */
public final class Process {

    private static final Duration FIRST_POLL = Duration.ofMillis(50);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private final Http http;
    private final String id;
    private final String path;
    private volatile ProcessInfo info;

    Process(Http http, String processesPath, String id, ProcessInfo info) {
        this.http = http;
        this.id = id;
        this.path = processesPath + "/" + Http.segment(id);
        this.info = info;
    }

    /**
     * The process's id.
     *
     * @return the id, stable for the life of the sandbox
     */
    public String id() {
        return id;
    }

    /**
     * The process as last seen: by the call that made this handle, by {@link #refresh()}, by
     * {@link #waitFor()} or by the end of {@link #followLogs(long)}. A handle made from an id
     * alone fetches it on first use.
     *
     * @return the last known info
     */
    public ProcessInfo info() {
        ProcessInfo known = info;
        return known != null ? known : refresh();
    }

    /**
     * Fetches the process again.
     *
     * @return its info now
     * @throws NotFoundException when there is no such process
     */
    public ProcessInfo refresh() {
        return remember(http.json(http.get(path), ProcessInfo::from));
    }

    /**
     * Writes to the process's standard input.
     *
     * @param data the text, sent as UTF-8
     */
    public void write(String data) {
        stdin(Map.of("data", Objects.requireNonNull(data, "data")));
    }

    /** Closes the process's standard input, so that it reads end-of-file. */
    public void closeStdin() {
        stdin(Map.of("eof", true));
    }

    /**
     * Sends a signal to the process's whole process group.
     *
     * @param signal a name such as {@code TERM}, {@code KILL} or {@code INT}, or a number
     * @throws InvalidRequestException when the daemon does not know the signal
     */
    public void signal(String signal) {
        http.discard(http.post(path + "/signal", Map.of("signal", Validation.notBlank(signal, "signal"))));
    }

    /**
     * Reads the first page of the process's output.
     *
     * @return up to a page (1 MiB) of output from the start, and the offset to read on from
     */
    public LogPage logs() {
        return logs(0);
    }

    /**
     * Reads a page of the process's output from a byte offset.
     *
     * @param from the offset to read from: 0, or a {@link LogPage#next()} or {@link LogEvent#offset()} seen before
     * @return up to a page (1 MiB) of output, and the offset to read on from
     */
    public LogPage logs(long from) {
        LogPage page = http.json(http.get(path + "/logs?from=" + offset(from)), LogPage::from);
        remember(page.process());
        return page;
    }

    /**
     * Follows the process's output as it is written, from a byte offset, as a stream of
     * server-sent events read on a thread of its own ({@code perpetua-logs-<id>}). When the
     * connection drops, it reconnects from the last event it delivered, so subscribers get
     * every piece once, in order. It completes after the process ended and all its output was
     * delivered (and {@link #info()} then holds how it ended); it fails with a
     * {@link PerpetuaException} when the daemon refuses, or cannot be reached again within a few
     * seconds. Each subscription reads the output on its own.
     *
     * @param fromOffset the offset to start from: 0 for everything
     * @return a publisher of the output
     */
    public Flow.Publisher<LogEvent> followLogs(long fromOffset) {
        return new LogPublisher(http, path + "/logs", offset(fromOffset), this::remember, "perpetua-logs-" + id);
    }

    /**
     * Waits until the process no longer runs, asking the daemon every so often (50 ms at first,
     * then less often, up to once a second).
     *
     * @return how it ended
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public ProcessInfo waitFor() throws InterruptedException {
        Duration pause = FIRST_POLL;
        ProcessInfo now = refresh();
        while (now.running()) {
            Thread.sleep(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
            now = refresh();
        }
        return now;
    }

    @Override
    public String toString() {
        ProcessInfo known = info;
        return "Process[" + id + (known == null ? "" : ", " + known.status()) + "]";
    }

    private void stdin(Map<String, Object> body) {
        http.discard(http.post(path + "/stdin", body));
    }

    private ProcessInfo remember(ProcessInfo fetched) {
        info = fetched;
        return fetched;
    }

    private static long offset(long from) {
        if (from < 0) {
            throw new IllegalArgumentException("the offset must not be negative but was " + from);
        }
        return from;
    }
}
