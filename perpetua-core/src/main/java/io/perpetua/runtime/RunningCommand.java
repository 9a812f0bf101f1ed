package io.perpetua.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A command running in a sandbox whose input and output the caller streams, for transfers too
 * large to hold in memory. The command's time limit is enforced inside the sandbox; closing
 * the handle before the command ends kills it.
 */
public interface RunningCommand extends AutoCloseable {

    /** The command's standard input; close it to send end-of-file. */
    OutputStream stdin();

    /** The command's standard output. */
    InputStream stdout();

    /** The command's standard error. */
    InputStream stderr();

    /** Waits for the command to end and returns its exit status (128+N if signal N ended it). */
    int waitFor();

    /** Ends the command if it still runs and releases its streams. Idempotent. */
    @Override
    void close();
}
