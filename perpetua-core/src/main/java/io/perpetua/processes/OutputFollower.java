package io.perpetua.processes;

import java.util.List;
import java.util.function.Supplier;

/**
 * One reader following a process's output ({@link SandboxProcesses#follow}): each
 * {@link #poll} gives what the process wrote since the previous one, and how the process stood
 * just before it was read.
 */
public final class OutputFollower {

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

    OutputFollower(Supplier<ProcessInfo> process, OutputCursor cursor, Runnable onOutput) {
        this.process = process;
        this.cursor = cursor;
        this.onOutput = onOutput;
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
}
