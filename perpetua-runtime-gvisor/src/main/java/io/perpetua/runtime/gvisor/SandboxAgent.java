package io.perpetua.runtime.gvisor;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs commands through the agent inside a sandbox (agent.c, started by its init): one TCP
 * connection to the sandbox's address per command, instead of a {@code runsc exec}, which
 * starts a Go program of its own for every command. The agent gives the command pipes made
 * inside the sandbox and enforces its timeout, as the {@code run} helper does for runsc exec.
 *
 * <p>When no agent answers (a sandbox without a network, one from an older template, one whose
 * agent is not listening yet) nothing was started, and the caller runs the command the other
 * way. This side always closes the connection first: the side that closes first keeps it in
 * TIME_WAIT, which gVisor cannot checkpoint.
 */
final class SandboxAgent {

    /** The port the agent listens on, in every sandbox (agent.c has it too); the port proxy refuses it. */
    static final int PORT = SandboxRuntime.RESERVED_PORT;

    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** How often a command that prints nothing is checked for its sandbox still being there. */
    private static final int LIVENESS_MILLIS = 250;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Duration BACKSTOP = Duration.ofSeconds(10);
    private static final int STDIN_CHUNK = 64 * 1024;
    static final int MAX_FRAME = 1024 * 1024;
    /** The exit status reported when the agent was lost mid-command, as runsc exec reports its own failures. */
    static final int LOST = 128;
    /** The request option (see agent.c) that makes a command detached. */
    private static final String DETACH_OPTION = "PERPETUA_AGENT=detach";

    private SandboxAgent() {
    }

    /**
     * Runs {@code request} through the agent at {@code address}.
     *
     * @param alive whether the sandbox still has processes; a sandbox killed mid-command (out of
     *              memory, say) never closes the connection, so this is asked while waiting
     * @return the command's result, or empty if no agent took the command (nothing was started)
     */
    static Optional<ExecResult> run(String address, ExecRequest request, BooleanSupplier alive) {
        long started = System.nanoTime();
        byte[] header = header(request, false);
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(address, PORT), CONNECT_TIMEOUT_MILLIS);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
                return Optional.empty();
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(LIVENESS_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(header);
            out.flush();
            Thread feeder = Thread.ofVirtual().name("agent-stdin-" + address).start(() -> feed(out, request.stdin()));
            try {
                return new Exchange(request, started, alive).read(socket.getInputStream());
            } finally {
                feeder.interrupt();
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("the agent of the sandbox at " + address + " failed while running "
                    + request.cmd().getFirst() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code request} as a detached command (no time limit; it runs on when the returned
     * handle is closed) through the agent at {@code address}.
     *
     * @param alive whether the sandbox still has processes, asked while a read waits
     * @return the running command, or empty if no agent took it (nothing was started)
     */
    static Optional<RunningCommand> startDetached(String address, ExecRequest request, BooleanSupplier alive) {
        Socket socket = new Socket();
        try {
            try {
                socket.connect(new InetSocketAddress(address, PORT), CONNECT_TIMEOUT_MILLIS);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
                socket.close();
                return Optional.empty();
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(LIVENESS_MILLIS);
            socket.getOutputStream().write(header(request, true));
            return AgentCommand.started(socket, request, alive);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RuntimeFailureException("the agent of the sandbox at " + address + " failed to start "
                    + request.cmd().getFirst() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is all that was left to do with it.
        }
    }

    /** The command's stdin as chunks, then the chunk of length 0 that ends it. */
    private static void feed(OutputStream out, String stdin) {
        byte[] bytes = stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8);
        try {
            DataOutputStream data = new DataOutputStream(out);
            for (int at = 0; at < bytes.length; at += STDIN_CHUNK) {
                int length = Math.min(STDIN_CHUNK, bytes.length - at);
                data.writeInt(length);
                data.write(bytes, at, length);
            }
            data.writeInt(0);
            data.flush();
        } catch (IOException e) {
            // The command ended, or the connection did, before all of its input was taken: its business.
        }
    }

    private static byte[] header(ExecRequest request, boolean detached) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            DataOutputStream data = new DataOutputStream(body);
            data.writeInt((int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis()));
            strings(data, request.cmd());
            List<String> env = new ArrayList<>(request.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            if (detached) {
                env.add(DETACH_OPTION);
            }
            strings(data, env);
            string(data, request.cwd() == null ? "" : request.cwd());
            ByteArrayOutputStream whole = new ByteArrayOutputStream(body.size() + 8);
            DataOutputStream framed = new DataOutputStream(whole);
            framed.writeBytes("PXA1");
            framed.writeInt(body.size());
            body.writeTo(framed);
            return whole.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void strings(DataOutputStream data, List<String> values) throws IOException {
        data.writeInt(values.size());
        for (String value : values) {
            string(data, value);
        }
    }

    private static void string(DataOutputStream data, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    /** The agent's side of one command: frames read until it reports the exit. */
    private static final class Exchange {

        private final ExecRequest request;
        private final long started;
        private final BooleanSupplier alive;
        private final long giveUpAt;
        private final BoundedOutput stdout = new BoundedOutput(CommandExecution.OUTPUT_LIMIT);
        private final BoundedOutput stderr = new BoundedOutput(CommandExecution.OUTPUT_LIMIT);
        private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
        private boolean startedCommand;
        private ExecResult result;

        Exchange(ExecRequest request, long started, BooleanSupplier alive) {
            this.request = request;
            this.started = started;
            this.alive = alive;
            this.giveUpAt = started + request.timeout().plus(KILL_GRACE).plus(BACKSTOP).toNanos();
        }

        Optional<ExecResult> read(InputStream in) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            while (result == null) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    if (!alive.getAsBoolean()) {
                        return Optional.of(lost("its sandbox stopped"));
                    }
                    if (System.nanoTime() - giveUpAt > 0) {
                        throw new RuntimeFailureException("command " + request.cmd().getFirst() + " was still running "
                                + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s after it started, past its timeout");
                    }
                    continue;
                } catch (IOException e) {
                    // Reset: the agent went away (killed, say); as if it had closed the connection.
                    n = -1;
                }
                if (n < 0) {
                    return startedCommand ? Optional.of(lost("the agent closed the connection")) : Optional.empty();
                }
                take(buffer, n);
            }
            return Optional.of(result);
        }

        private void take(byte[] bytes, int n) {
            if (pending.remaining() < n) {
                pending = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + n)).put(pending.flip());
            }
            pending.put(bytes, 0, n).flip();
            while (result == null && pending.remaining() >= 5) {
                int length = pending.getInt(pending.position() + 1);
                if (length < 0 || length > MAX_FRAME) {
                    throw new RuntimeFailureException("the sandbox's agent sent a frame of " + length + " bytes; the connection is not an agent's");
                }
                if (pending.remaining() < 5 + length) {
                    break;
                }
                byte type = pending.get();
                pending.getInt();
                byte[] payload = new byte[length];
                pending.get(payload);
                frame(type, payload);
            }
            pending.compact();
        }

        private void frame(byte type, byte[] payload) {
            startedCommand = true;
            switch (type) {
                case 'S' -> { }
                case 'O' -> stdout.keep(payload, 0, payload.length);
                case 'E' -> stderr.keep(payload, 0, payload.length);
                case 'X' -> {
                    int status = ByteBuffer.wrap(payload).getInt();
                    boolean timedOut = payload.length > 4 && payload[4] != 0;
                    result = new ExecResult(status, stdout.text(), stderr.text(), elapsed(), timedOut,
                            stdout.truncated() || stderr.truncated());
                }
                case 'C' -> throw new InvalidInputException("cwd", "cwd '" + request.cwd() + "' does not exist in the sandbox");
                default -> throw new RuntimeFailureException("the sandbox's agent sent a frame of unknown type "
                        + (type & 0xff) + " (" + Arrays.toString(Arrays.copyOf(payload, Math.min(16, payload.length))) + ")");
            }
        }

        private ExecResult lost(String why) {
            String message = stderr.text() + "perpetua: lost the command: " + why + "\n";
            return new ExecResult(LOST, stdout.text(), message, elapsed(), false, stdout.truncated() || stderr.truncated());
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }
}
