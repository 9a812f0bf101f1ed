package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code GET /v1/sandboxes/{id}/tcp/{port}}: a WebSocket carrying one raw TCP connection to a
 * port of a sandbox, as binary frames both ways. The port proxy speaks HTTP; this carries any
 * protocol (a database, SSH, a debugger), and is what {@code perpetua sandbox port-forward} uses.
 * The connection is made before the upgrade, so a port nothing listens on is an HTTP error.
 * Connecting wakes a sleeping sandbox and an open tunnel keeps it awake. The socket closes when
 * either end closes its side.
 */
final class TcpTunnelRoutes {

    static final String PATH = "/v1/sandboxes/{id}/tcp/{port}";
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final SandboxService sandboxes;
    private final Function<SandboxId, String> addresses;
    private final UpgradeHandoff<Tunnel> opened = new UpgradeHandoff<>();
    private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();

    /**
     * @param addresses a sandbox's address on its network; throws if it has none
     */
    TcpTunnelRoutes(SandboxService sandboxes, Function<SandboxId, String> addresses) {
        this.sandboxes = sandboxes;
        this.addresses = addresses;
    }

    void register(RouteTable routes) {
        routes.ws(PATH, this::connect, this::configure);
    }

    /** One tunnel: a TCP connection into the sandbox and the lease that keeps the sandbox awake. */
    private record Tunnel(Socket connection, SandboxService.Lease lease) implements AutoCloseable {
        @Override
        public void close() {
            try {
                connection.close();
            } catch (IOException e) {
                // Closing; nothing left to tell.
            } finally {
                lease.close();
            }
        }
    }

    /** Before the upgrade: checks the request, wakes the sandbox and connects to the port. */
    private void connect(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        int port = SandboxPortParameter.parse(ctx.pathParam("port"));
        String address = addresses.apply(id);
        SandboxService.Lease lease = sandboxes.hold(id);
        Socket connection = new Socket();
        try {
            connection.setTcpNoDelay(true);
            connection.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            new Tunnel(connection, lease).close();
            throw new RuntimeFailureException("port_unreachable", "nothing answers on port " + port + " of sandbox " + id
                    + " (" + e.getMessage() + ")", e);
        }
        opened.offer(ctx, new Tunnel(connection, lease));
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            WebSocketOutput.keepOpen(ctx);
            Tunnel tunnel = opened.claim(ctx);
            tunnels.put(ctx.sessionId(), tunnel);
            Thread.ofVirtual().name("tcp-tunnel-" + ctx.sessionId()).start(() -> relay(ctx, tunnel));
        });
        ws.onBinaryMessage(ctx -> {
            Tunnel tunnel = tunnels.get(ctx.sessionId());
            if (tunnel == null) {
                return;
            }
            ByteBuffer data = ctx.data();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            try {
                tunnel.connection().getOutputStream().write(bytes);
            } catch (IOException e) {
                ctx.closeSession(1011, "the connection in the sandbox broke: " + e.getMessage());
            }
        });
        ws.onMessage(ctx -> ctx.closeSession(1003, "invalid_input: a TCP tunnel carries binary frames only"));
        ws.onClose(ctx -> {
            Tunnel tunnel = tunnels.remove(ctx.sessionId());
            if (tunnel != null) {
                tunnel.close();
            }
        });
    }

    /** Sends what the sandbox's side says to the client until it closes its side. */
    private static void relay(WsContext ctx, Tunnel tunnel) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = tunnel.connection().getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0 && WebSocketOutput.sendBinaryAndWait(ctx, ByteBuffer.wrap(buffer, 0, n))) {
                // Relayed, and the buffer is free again.
            }
            ctx.closeSession(1000, "closed by the sandbox");
        } catch (IOException e) {
            ctx.closeSession(1000, "connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
