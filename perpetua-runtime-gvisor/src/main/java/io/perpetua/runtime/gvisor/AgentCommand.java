package io.perpetua.runtime.gvisor;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.sandbox.ExecRequest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A detached command the sandbox's agent runs (see {@link SandboxAgent#startDetached}), streamed
 * over its connection: stdin as the agent's chunks, stdout from its {@code 'O'} frames, the exit
 * status from {@code 'X'}. Closing it closes the connection; the command runs on.
 */
final class AgentCommand implements RunningCommand {

    private static final int MAX_STDERR = 64 * 1024;

    private final Socket socket;
    private final DataInputStream frames;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final InputStream stdout = new Stdout();
    private final OutputStream stdin;
    private byte[] chunk = new byte[0];
    private int chunkAt;
    private Integer status;

    private AgentCommand(Socket socket, DataInputStream frames) throws IOException {
        this.socket = socket;
        this.frames = frames;
        this.stdin = new Stdin(new DataOutputStream(new BufferedOutputStream(socket.getOutputStream())));
    }

    /**
     * The command once the agent said it started it; empty if the agent closed the connection
     * without a word (it took no command).
     *
     * @throws InvalidInputException naming {@code cwd} if the working directory does not exist
     */
    static Optional<RunningCommand> started(Socket socket, ExecRequest request, BooleanSupplier alive) throws IOException {
        DataInputStream frames = new DataInputStream(new BufferedInputStream(new Liveness(socket.getInputStream(), alive)));
        int type = frames.read();
        if (type < 0) {
            socket.close();
            return Optional.empty();
        }
        byte[] payload = payload(frames);
        if (type == 'C') {
            throw new InvalidInputException("cwd", "cwd '" + request.cwd() + "' does not exist in the sandbox");
        }
        if (type != 'S') {
            throw new RuntimeFailureException("the sandbox's agent began with a frame of type " + type + " instead of the start");
        }
        return Optional.of(new AgentCommand(socket, frames));
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    /** What the command wrote to stderr (up to 64 KiB), complete once its stdout has ended. */
    @Override
    public InputStream stderr() {
        synchronized (stderr) {
            return new ByteArrayInputStream(stderr.toByteArray());
        }
    }

    @Override
    public int waitFor() {
        try {
            stdout.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("lost the command in the sandbox before it ended", e);
        }
        return status;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // It is closed all the same.
        }
    }

    /** The next bytes of stdout, reading frames until some come; false at the exit. */
    private boolean nextChunk() throws IOException {
        while (status == null) {
            int type = frames.read();
            if (type < 0) {
                throw new EOFException("the agent closed the connection before the command ended");
            }
            byte[] payload = payload(frames);
            switch (type) {
                case 'O' -> {
                    chunk = payload;
                    chunkAt = 0;
                    return true;
                }
                case 'E' -> keepStderr(payload);
                case 'X' -> status = new DataInputStream(new ByteArrayInputStream(payload)).readInt();
                default -> throw new IOException("the sandbox's agent sent a frame of unknown type " + type);
            }
        }
        return false;
    }

    private void keepStderr(byte[] payload) {
        synchronized (stderr) {
            stderr.write(payload, 0, Math.min(payload.length, Math.max(0, MAX_STDERR - stderr.size())));
        }
    }

    private static byte[] payload(DataInputStream frames) throws IOException {
        int length = frames.readInt();
        if (length < 0 || length > SandboxAgent.MAX_FRAME) {
            throw new IOException("the sandbox's agent sent a frame of " + length + " bytes; the connection is not an agent's");
        }
        return frames.readNBytes(length);
    }

    private final class Stdout extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (chunkAt == chunk.length && !nextChunk()) {
                return -1;
            }
            int n = Math.min(length, chunk.length - chunkAt);
            System.arraycopy(chunk, chunkAt, into, offset, n);
            chunkAt += n;
            return n;
        }
    }

    /** Input as the agent takes it: length-prefixed chunks, and a chunk of length 0 at the end; sent at each flush. */
    private static final class Stdin extends OutputStream {
        private final DataOutputStream out;
        private boolean ended;

        Stdin(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > 0) {
                out.writeInt(length);
                out.write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                ended = true;
                out.writeInt(0);
                out.flush();
            }
        }
    }

    /**
     * Socket input that waits as long as the sandbox lives: a sandbox killed mid-command (out of
     * memory, say) never closes the connection, so each read that times out asks whether it still does.
     */
    private static final class Liveness extends FilterInputStream {
        private final BooleanSupplier alive;

        Liveness(InputStream in, BooleanSupplier alive) {
            super(in);
            this.alive = alive;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            while (true) {
                try {
                    return super.read(into, offset, length);
                } catch (SocketTimeoutException e) {
                    if (!alive.getAsBoolean()) {
                        throw new EOFException("the sandbox stopped while the command ran");
                    }
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }
}
