package io.perpetua.client;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives the output of a command as it is written, in the order the daemon sent it. Both
 * methods are called on the thread that called
 * {@link Sandbox#execStreaming(ExecCommand, OutputListener)}.
 */
public interface OutputListener {

    /**
     * Called with each piece of the command's standard output.
     *
     * @param text the piece, decoded as UTF-8
     */
    void onStdout(String text);

    /**
     * Called with each piece of the command's standard error.
     *
     * @param text the piece, decoded as UTF-8
     */
    void onStderr(String text);

    /**
     * A listener made of two functions.
     *
     * @param stdout receives the standard output
     * @param stderr receives the standard error
     * @return a listener that passes each piece to the matching function
     */
    static OutputListener of(Consumer<String> stdout, Consumer<String> stderr) {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        return new OutputListener() {
            @Override
            public void onStdout(String text) {
                stdout.accept(text);
            }

            @Override
            public void onStderr(String text) {
                stderr.accept(text);
            }
        };
    }
}
