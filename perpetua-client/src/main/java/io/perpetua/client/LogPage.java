package io.perpetua.client;

import java.util.List;

/**
 * One page of a process's output, as {@link Process#logs(long)} reads it.
 *
 * @param chunks  the pieces of output from the offset asked for, in order; empty when there is
 *                nothing more yet
 * @param next    the offset to read the next page from
 * @param process the process as it was when the page was read
 */
public record LogPage(List<LogEvent> chunks, long next, ProcessInfo process) {

    /** Copies the chunks. */
    public LogPage {
        chunks = List.copyOf(chunks);
    }

    static LogPage from(JsonObject json) {
        return new LogPage(json.objects("chunks").stream().map(LogEvent::from).toList(), json.integer("next"),
                ProcessInfo.from(json.object("process")));
    }
}
