package io.perpetua.client;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A shell on a terminal in a sandbox ({@code GET /v1/sandboxes/{id}/terminal}), opened with
 * {@link Sandbox#openTerminal}. What the terminal shows goes to the consumer given at opening,
 * as it comes; keystrokes go in with {@link #write}. An open terminal keeps its sandbox awake.
 */
public final class TerminalSession implements AutoCloseable {

    private final WebSocket socket;
    private final CompletableFuture<Integer> exit;

    private TerminalSession(WebSocket socket, CompletableFuture<Integer> exit) {
        this.socket = socket;
        this.exit = exit;
    }

    static TerminalSession open(Http http, String path, Consumer<byte[]> output) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        WebSocket socket = http.webSocket(path, new Listener(output, exit));
        return new TerminalSession(socket, exit);
    }

    /**
     * Sends keystrokes (or any input) to the terminal.
     *
     * @param keys the bytes typed
     */
    public synchronized void write(byte[] keys) {
        socket.sendBinary(ByteBuffer.wrap(keys), true).join();
    }

    /**
     * Tells the terminal its new size, as a terminal window does when resized.
     *
     * @param rows lines, 1 to 1000
     * @param cols columns, 1 to 1000
     */
    public synchronized void resize(int rows, int cols) {
        socket.sendText("{\"type\":\"resize\",\"rows\":" + rows + ",\"cols\":" + cols + "}", true).join();
    }

    /**
     * Waits until the shell exits.
     *
     * @return the shell's exit status, or -1 if the terminal closed for another reason
     * @throws InterruptedException if interrupted while waiting
     */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** Hangs up: the shell gets SIGHUP, as when a terminal window closes. */
    @Override
    public synchronized void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
        }
    }

    private record Listener(Consumer<byte[]> output, CompletableFuture<Integer> exit) implements WebSocket.Listener {

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            output.accept(bytes);
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            exit.complete(reason != null && reason.matches("exit \\d+") ? Integer.parseInt(reason.substring(5)) : -1);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            exit.complete(-1);
        }
    }
}
