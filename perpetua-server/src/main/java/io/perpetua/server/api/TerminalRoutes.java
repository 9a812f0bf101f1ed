package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.PerpetuaException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.runtime.SandboxHelper;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.text.Utf8Decoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /v1/sandboxes/{id}/terminal}: a WebSocket carrying a shell on a pseudo-terminal
 * made inside the sandbox. Binary frames from the client are keystrokes; text frames are JSON
 * ({@code {"type":"input","data":…}} or {@code {"type":"resize","cols":…,"rows":…}});
 * binary frames to the client are what the terminal shows. The socket closes when the shell
 * exits. An open terminal keeps its sandbox awake, like any request in progress.
 */
final class TerminalRoutes {

    static final String PATH = "/v1/sandboxes/{id}/terminal";
    private static final Duration LIMIT = ExecRequest.MAX_TIMEOUT;

    private final SandboxService sandboxes;
    private final SandboxRuntime runtime;
    private final JsonCodec json;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    TerminalRoutes(SandboxService sandboxes, SandboxRuntime runtime, JsonCodec json) {
        this.sandboxes = sandboxes;
        this.runtime = runtime;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.ws(PATH, this::check, this::configure);
    }

    /** Before the upgrade: a sandbox that exists and a size that is one. */
    private void check(Context ctx) {
        sandboxes.get(SandboxIdParameter.of(ctx));
        dimension(ctx.queryParam("rows"), "rows", 24);
        dimension(ctx.queryParam("cols"), "cols", 80);
    }

    /** A text frame from the client. */
    record Message(String type, String data, Integer cols, Integer rows) {
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            WebSocketOutput.keepOpen(ctx);
            Session session = new Session(ctx);
            sessions.put(ctx.sessionId(), session);
            Thread.ofVirtual().name("terminal-" + ctx.sessionId()).start(session::run);
        });
        ws.onBinaryMessage(ctx -> {
            ByteBuffer data = ctx.data();
            byte[] keys = new byte[data.remaining()];
            data.get(keys);
            session(ctx).input(keys);
        });
        ws.onMessage(ctx -> session(ctx).control(ctx.message()));
        ws.onClose(ctx -> {
            Session session = sessions.remove(ctx.sessionId());
            if (session != null) {
                session.hangUp();
            }
        });
    }

    private Session session(WsContext ctx) {
        Session session = sessions.get(ctx.sessionId());
        if (session == null) {
            throw new IllegalStateException("no terminal session " + ctx.sessionId());
        }
        return session;
    }

    /** One terminal: the command in the sandbox and the socket, joined. */
    private final class Session {
        private final WsContext socket;
        private final List<byte[]> early = new ArrayList<>();
        private RunningCommand command;
        private boolean hungUp;

        Session(WsContext socket) {
            this.socket = socket;
        }

        void run() {
            try {
                SandboxId id = SandboxIdParameter.parse(socket.pathParam("id"));
                int rows = dimension(socket.queryParam("rows"), "rows", 24);
                int cols = dimension(socket.queryParam("cols"), "cols", 80);
                List<String> cmd = new ArrayList<>(runtime.helper(SandboxHelper.TERMINAL));
                cmd.addAll(List.of(Integer.toString(rows), Integer.toString(cols), "bash", "-l"));
                int exit = sandboxes.stream(id, new ExecRequest(cmd, "/root", null, null, LIMIT), this::relay);
                close(1000, "exit " + exit);
            } catch (PerpetuaException e) {
                close(1008, e.code() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                close(1011, "terminal failed: " + e.getMessage());
            }
        }

        /** Closes the socket; a close reason may hold at most 123 bytes, so a longer one is cut, between characters. */
        private void close(int status, String reason) {
            byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
            socket.closeSession(status, Utf8Decoder.wholeCharacters(bytes, 0, Math.min(120, bytes.length)));
        }

        private int relay(RunningCommand started) {
            synchronized (this) {
                command = started;
                early.forEach(this::write);
                early.clear();
                if (hungUp) {
                    closeInput();
                }
            }
            byte[] buffer = new byte[16 * 1024];
            try (InputStream out = started.stdout()) {
                int n;
                while ((n = out.read(buffer)) > 0 && WebSocketOutput.sendBinaryAndWait(socket, ByteBuffer.wrap(buffer, 0, n))) {
                    // Relayed, and the buffer is free again.
                }
            } catch (IOException e) {
                // The shell is gone; its exit status says how.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return started.waitFor();
        }

        synchronized void input(byte[] keys) {
            for (int at = 0; at < keys.length; at += 0xffff) {
                byte[] chunk = Arrays.copyOfRange(keys, at, Math.min(keys.length, at + 0xffff));
                frame('d', chunk);
            }
        }

        /** A text frame: a control message, or an error frame back for one that is not, and the terminal goes on. */
        void control(String text) {
            try {
                Message message = json.read(text.getBytes(StandardCharsets.UTF_8), Message.class, null);
                switch (message.type() == null ? "" : message.type()) {
                    case "input" -> input(message.data() == null ? new byte[0] : message.data().getBytes(StandardCharsets.UTF_8));
                    case "resize" -> {
                        int rows = dimension(String.valueOf(message.rows()), "rows", 24);
                        int cols = dimension(String.valueOf(message.cols()), "cols", 80);
                        frame('r', new byte[] {(byte) (rows >> 8), (byte) rows, (byte) (cols >> 8), (byte) cols});
                    }
                    default -> throw new InvalidInputException("type", "type must be input or resize but was '" + message.type() + "'");
                }
            } catch (InvalidInputException e) {
                socket.send(json.write(Map.of("error", Map.of("code", e.code(), "message", e.getMessage(), "field", e.field()))));
            }
        }

        synchronized void hangUp() {
            hungUp = true;
            if (command != null) {
                closeInput();
            }
        }

        private synchronized void frame(char type, byte[] payload) {
            byte[] frame = new byte[3 + payload.length];
            frame[0] = (byte) type;
            frame[1] = (byte) (payload.length >> 8);
            frame[2] = (byte) payload.length;
            System.arraycopy(payload, 0, frame, 3, payload.length);
            if (command == null) {
                early.add(frame);
            } else {
                write(frame);
            }
        }

        private void write(byte[] frame) {
            try {
                OutputStream in = command.stdin();
                in.write(frame);
                in.flush();
            } catch (IOException e) {
                // The shell ended; the socket closes when its output does.
            }
        }

        private void closeInput() {
            try {
                command.stdin().close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }

    private static int dimension(String value, String field, int fallback) {
        if (value == null || value.equals("null")) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            InvalidInputException.check(n >= 1 && n <= 1000, field, field + " must be between 1 and 1000 but was " + n);
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, field + " must be a number but was '" + value + "'");
        }
    }
}
