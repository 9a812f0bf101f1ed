package io.perpetua.cli;

import io.perpetua.runtime.gvisor.NetworkConfig;
import io.perpetua.runtime.gvisor.RunscConfig;
import io.perpetua.runtime.gvisor.RunscRuntime;
import io.perpetua.server.PerpetuaServer;
import io.perpetua.server.ServerConfig;
import io.perpetua.server.ServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real daemon, in this JVM, on its own data directory, cgroup parent and subnet, for the
 * commands that need real sandboxes. {@link #close()} removes every container, mount, cgroup,
 * network and file it made.
 */
final class LiveDaemon implements AutoCloseable {

    /**
     * Its own subnet, apart from the server's test daemons; {@code -Dperpetua.it.subnet} moves it,
     * so that two checkouts can test at once.
     */
    private static final String SUBNET = System.getProperty("perpetua.it.subnet", "10.237.0.0/16");
    /** The admin key the daemon is started with, and the CLI calls with. */
    static final String KEY = "pk_cli_test_admin_0123456789abcdefghij";

    private final Path data;
    private final String cgroupParent;
    private final PerpetuaServer server;

    private LiveDaemon(Path data, String cgroupParent, PerpetuaServer server) {
        this.data = data;
        this.cgroupParent = cgroupParent;
        this.server = server;
    }

    static LiveDaemon start() throws IOException {
        Path data = Files.createTempDirectory("perpetua-cli-it-");
        String cgroupParent = "perpetua-cli-it-" + Long.toHexString(System.nanoTime());
        ServerConfig config = ServerOptions.parse(List.of("--port", "0", "--data-dir", data.toString(), "--idle-timeout", "1h",
                "--cgroup-parent", cgroupParent, "--warm-pool", "0", "--subnet", SUBNET), Map.of("PERPETUA_ADMIN_KEY", KEY));
        try {
            return new LiveDaemon(data, cgroupParent, PerpetuaServer.start(config));
        } catch (RuntimeException e) {
            purge(data, cgroupParent);
            throw e;
        }
    }

    /** The environment that points the CLI at this daemon. */
    Map<String, String> env() {
        return Map.of("PERPETUA_URL", url(), "PERPETUA_API_KEY", KEY);
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            purge(data, cgroupParent);
        }
    }

    private static void purge(Path data, String cgroupParent) {
        new RunscRuntime(new RunscConfig("runsc", data, "ptrace", cgroupParent, new NetworkConfig(true, SUBNET))).purge();
        try (Stream<Path> paths = Files.walk(data)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + data, e);
        }
    }
}
