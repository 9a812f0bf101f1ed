package io.perpetua.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP connection to a port of a sandbox, carried by the daemon
 * ({@code GET /v1/sandboxes/{id}/tcp/{port}}), opened with {@link Sandbox#connect}: any
 * protocol, as a pair of streams. An open connection keeps its sandbox awake. Closing either
 * side closes the whole connection; there is no half-close.
 */
public final class PortConnection implements AutoCloseable {

    /** Marks the end of what the sandbox sends. */
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final Input input = new Input();
    private final Output output = new Output();
    private volatile WebSocket socket;
    private volatile String failure;

    private PortConnection() {
    }

    static PortConnection open(Http http, String path) {
        PortConnection connection = new PortConnection();
        http.webSocket(path, connection.new Listener());
        return connection;
    }

    /**
     * What the sandbox's side sends. A read blocks until bytes arrive; it returns -1 once the
     * sandbox's side has closed, and throws if the connection broke.
     *
     * @return the stream of bytes from the sandbox
     */
    public InputStream input() {
        return input;
    }

    /**
     * Sends bytes to the sandbox's side; each write goes out at once.
     *
     * @return the stream of bytes to the sandbox
     */
    public OutputStream output() {
        return output;
    }

    /** Closes the connection, both ways. */
    @Override
    public void close() {
        WebSocket open = socket;
        if (open != null && !open.isOutputClosed()) {
            open.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
        }
        received.add(END);
    }

    /** Receives a chunk at a time: the next is asked for only once the reader took this one. */
    private final class Listener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket opened) {
            socket = opened;
            opened.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket from, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add(bytes);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket from, CharSequence data, boolean last) {
            from.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket from, int status, String reason) {
            if (status != WebSocket.NORMAL_CLOSURE) {
                failure = reason == null || reason.isEmpty() ? "closed with status " + status : reason;
            }
            received.add(END);
            return null;
        }

        @Override
        public void onError(WebSocket from, Throwable error) {
            failure = "the connection broke: " + error.getMessage();
            received.add(END);
        }
    }

    private final class Input extends InputStream {
        private byte[] chunk = new byte[0];
        private int at;
        private boolean ended;

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (at == chunk.length) {
                if (ended || !next()) {
                    return -1;
                }
            }
            int n = Math.min(length, chunk.length - at);
            System.arraycopy(chunk, at, into, offset, n);
            at += n;
            return n;
        }

        /** Takes the next chunk; false at the end. */
        private boolean next() throws IOException {
            byte[] taken;
            try {
                taken = received.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading from the sandbox", e);
            }
            if (taken == END) {
                ended = true;
                received.add(END);
                if (failure != null) {
                    throw new IOException(failure);
                }
                return false;
            }
            chunk = taken;
            at = 0;
            socket.request(1);
            return true;
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return;
            }
            try {
                socket.sendBinary(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)), true).join();
            } catch (CompletionException e) {
                throw new IOException(failure != null ? failure : "cannot send to the sandbox: " + e.getCause().getMessage(), e);
            }
        }

        @Override
        public void close() {
            PortConnection.this.close();
        }
    }
}
