package io.perpetua.processes;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One reader following a process's output ({@link SandboxProcesses#follow}): each
 * {@link #poll} gives what the process wrote since the previous one, and how the process stood
 * just before it was read. Between polls, {@link #await} waits for news: the follower of a
 * process started by {@link SandboxProcesses#startFollowed} hears of its output and its end as
 * they happen; any other waits the time given. Close a follower when done with it.
 */
public final class OutputFollower implements AutoCloseable {

    /**
     * What one poll found.
     *
     * @param process the process as it was just before its output was read
     * @param chunks  the output written since the previous poll; empty if there is none
     */
    public record Poll(ProcessInfo process, List<OutputChunk> chunks) {

        /** Copies the chunks. */
        public Poll {
            chunks = List.copyOf(chunks);
        }

        /** Whether the process has ended and all its output was read: nothing more will come. */
        public boolean finished() {
            return chunks.isEmpty() && !process.running();
        }
    }

    private final Supplier<ProcessInfo> process;
    private final OutputCursor cursor;
    private final Runnable onOutput;
    private final SupervisorEvents events;

    OutputFollower(Supplier<ProcessInfo> process, OutputCursor cursor, Runnable onOutput) {
        this(process, cursor, onOutput, null);
    }

    OutputFollower(Supplier<ProcessInfo> process, OutputCursor cursor, Runnable onOutput, SupervisorEvents events) {
        this.process = process;
        this.cursor = cursor;
        this.onOutput = onOutput;
        this.events = events;
    }

    /** The output written since the previous poll, about {@code maxBytes} of it. */
    public Poll poll(int maxBytes) {
        ProcessInfo before = process.get();
        List<OutputChunk> chunks = cursor.read(maxBytes, !before.running());
        if (!chunks.isEmpty()) {
            onOutput.run();
        }
        return new Poll(before, chunks);
    }

    /** The offset the next poll reads from. */
    public long position() {
        return cursor.position();
    }

    /**
     * Waits until the process may have written or ended since the last poll, at most
     * {@code nanos}: at once when its supervisor tells of it, else after the whole time.
     */
    public void await(long nanos) {
        if (events == null) {
            LockSupport.parkNanos(nanos);
        } else {
            events.await(nanos);
        }
    }

    /** Whether {@link #await} returns as soon as there is news (the supervisor tells of it), rather than after its time. */
    public boolean hearsNews() {
        return events != null && events.live();
    }

    /** Stops listening to the process's supervisor, if it did; the process runs on. */
    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
    }
}
