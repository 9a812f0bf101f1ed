package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua sandbox port-forward}: makes a port of a sandbox reachable on a local port,
 * for any TCP protocol, like {@code kubectl port-forward}. Runs until interrupted.
 */
@Command(name = "port-forward", description = "Forwards a local port to a port of a sandbox, until interrupted.")
final class PortForwardCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1", paramLabel = "[LOCAL:]REMOTE",
            description = "The port in the sandbox, and the local port to listen on (default: the same; 0 for any free one).")
    private String ports;

    @Option(names = "--address", paramLabel = "ADDRESS", description = "The local address to listen on (default: 127.0.0.1).")
    private String address = "127.0.0.1";

    private final Terminal terminal;

    PortForwardCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** The two ports of {@code [LOCAL:]REMOTE}. */
    record Ports(int local, int remote) {

        static Ports parse(String text) {
            String[] parts = text.split(":", -1);
            if (parts.length > 2) {
                throw new CliException("ports must be REMOTE or LOCAL:REMOTE but was '" + text + "'");
            }
            int remote = port(parts[parts.length - 1], "the port in the sandbox", 1);
            int local = parts.length == 2 ? port(parts[0], "the local port", 0) : remote;
            return new Ports(local, remote);
        }

        private static int port(String value, String what, int lowest) {
            try {
                int port = Integer.parseInt(value);
                if (port >= lowest && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // Reported below, like a number out of range.
            }
            throw new CliException(what + " must be a number from " + lowest + " to 65535 but was '" + value + "'");
        }
    }

    @Override
    public Integer call() {
        Ports parsed = Ports.parse(ports);
        try (Perpetua client = api.connect(terminal.env());
             PortForwarder forwarder = new PortForwarder(client.sandboxes().get(id), listenAddress(), parsed.local(),
                     parsed.remote(), terminal.err()::println)) {
            terminal.out().println("Forwarding from " + address + ":" + forwarder.localPort() + " to port " + parsed.remote()
                    + " of sandbox " + id + " (Ctrl-C stops)");
            terminal.out().flush();
            forwarder.serve();
        } catch (IOException e) {
            throw new CliException("cannot listen on " + address + ":" + parsed.local() + ": " + e.getMessage(), e);
        }
        return 0;
    }

    private InetAddress listenAddress() {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new CliException("--address must be a local address but was '" + address + "'", e);
        }
    }
}
