package io.perpetua.processes;

import io.perpetua.error.InvalidInputException;
import io.perpetua.files.SandboxFiles;
import io.perpetua.files.SandboxPath;
import io.perpetua.runtime.SandboxHelper;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.SandboxId;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes below a directory of a sandbox, live from the moment the watch opens: a watcher
 * process in the sandbox (listed among its processes as {@code files-watch}) reports each file
 * created, modified or deleted, in subdirectories too (a rename is a deletion and a creation).
 * Closing the watch ends the watcher. A watch does not keep the sandbox awake; changes flowing
 * through it do.
 */
public final class FileWatch implements AutoCloseable {

    /**
     * One change.
     *
     * @param kind {@code created}, {@code modified} or {@code deleted}
     * @param path the absolute path of the file
     */
    public record Change(String kind, String path) {
    }

    private static final int CHUNK_BYTES = 64 * 1024;

    private final SandboxProcesses processes;
    private final SandboxId sandbox;
    private final String watcher;
    private final OutputFollower output;
    private final StringBuilder partial = new StringBuilder();
    private boolean ended;

    private FileWatch(SandboxProcesses processes, SandboxId sandbox, SandboxProcesses.Started watcher) {
        this.processes = processes;
        this.sandbox = sandbox;
        this.watcher = watcher.process().id();
        this.output = watcher.output();
    }

    /**
     * Starts watching the directory {@code path}.
     *
     * @throws InvalidInputException naming {@code path} if it is not a directory
     */
    public static FileWatch open(SandboxProcesses processes, SandboxFiles files, SandboxRuntime runtime, SandboxId sandbox,
                                 SandboxPath path) {
        InvalidInputException.check(files.stat(sandbox, path).type().equals("directory"), "path", path + " is not a directory");
        List<String> cmd = new ArrayList<>(runtime.helper(SandboxHelper.WATCH));
        cmd.add(path.value());
        return new FileWatch(processes, sandbox, processes.startFollowed(sandbox, new ProcessSpec(cmd, "/", null, false, "files-watch")));
    }

    /** Waits up to {@code nanos} for changes to be reported, returning early when the watcher tells of some. */
    public void await(long nanos) {
        output.await(nanos);
    }

    /** Whether {@link #await} returns as soon as the watcher reports something. */
    public boolean hearsNews() {
        return output.hearsNews();
    }

    /** The changes reported since the previous poll; empty if there are none. */
    public List<Change> poll() {
        OutputFollower.Poll poll = output.poll(CHUNK_BYTES);
        List<Change> changes = new ArrayList<>();
        for (OutputChunk chunk : poll.chunks()) {
            partial.append(chunk.text());
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String[] change = partial.substring(0, newline).split("\t", 2);
                partial.delete(0, newline + 1);
                if (change.length == 2) {
                    changes.add(new Change(change[0], change[1]));
                }
            }
        }
        ended = poll.finished();
        return changes;
    }

    /** Whether the watcher has ended (its sandbox was deleted, say): no change will come any more. */
    public boolean ended() {
        return ended;
    }

    /** Ends the watcher. */
    @Override
    public void close() {
        output.close();
        try {
            processes.signal(sandbox, watcher, "KILL");
        } catch (RuntimeException e) {
            // It ended already, or the sandbox is gone.
        }
    }
}
