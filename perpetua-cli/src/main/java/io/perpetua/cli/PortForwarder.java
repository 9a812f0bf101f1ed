package io.perpetua.cli;

import io.perpetua.client.PortConnection;
import io.perpetua.client.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * Listens on a local port and carries every connection made to it to a port of a sandbox,
 * through the daemon's TCP tunnel. When either end closes, both do: the tunnel has no
 * half-close, and a connection left open would keep the sandbox awake.
 */
final class PortForwarder implements AutoCloseable {

    private final ServerSocket listener;
    private final Sandbox sandbox;
    private final int remotePort;
    private final Consumer<String> log;

    /**
     * @param log told of every connection and of failures, one line each
     */
    PortForwarder(Sandbox sandbox, InetAddress address, int localPort, int remotePort, Consumer<String> log) throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(address, localPort));
        this.sandbox = sandbox;
        this.remotePort = remotePort;
        this.log = log;
    }

    /** The local port, useful when 0 asked for any free one. */
    int localPort() {
        return listener.getLocalPort();
    }

    /** Accepts connections until closed. */
    void serve() {
        while (!listener.isClosed()) {
            try {
                Socket local = listener.accept();
                Thread.ofVirtual().name("port-forward-" + local.getPort()).start(() -> carry(local));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    log.accept("cannot accept a connection: " + e.getMessage());
                }
            }
        }
    }

    private void carry(Socket local) {
        log.accept("handling a connection from " + local.getRemoteSocketAddress() + " to port " + remotePort);
        try (local; PortConnection remote = sandbox.connect(remotePort)) {
            local.setTcpNoDelay(true);
            Thread.ofVirtual().start(() -> sendAll(local, remote));
            // Closing both at the end of this block also ends the other direction.
            remote.input().transferTo(local.getOutputStream());
        } catch (IOException | RuntimeException e) {
            log.accept("connection to port " + remotePort + " failed: " + e.getMessage());
        }
    }

    /** Sends what the local side says to the sandbox until it closes, then closes the tunnel. */
    private static void sendAll(Socket local, PortConnection remote) {
        try {
            local.getInputStream().transferTo(remote.output());
        } catch (IOException e) {
            // The other direction notices too and reports it.
        } finally {
            remote.close();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
