package io.perpetua.server;

import static org.awaitility.Awaitility.await;

import io.perpetua.client.Perpetua;
import io.perpetua.crash.CrashPoint;
import io.perpetua.runtime.gvisor.NetworkConfig;
import io.perpetua.runtime.gvisor.RunscConfig;
import io.perpetua.runtime.gvisor.RunscRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real perpetua daemon in its own JVM, on a free port, with its own data directory and
 * cgroup parent, so a test can kill it with -9 and start it again on the same data.
 * {@link #close()} stops it and removes every container, mount, cgroup and file it made.
 */
final class Daemon implements AutoCloseable {

    private final Path dataDirectory;
    private final String cgroupParent;
    private final List<String> options;
    private final List<String> jvmOptions;
    private final int port;
    private final Api api;
    private boolean fixedAdminKey = true;
    private Map<String, String> environment = Map.of();
    private Process process;
    private Path log;
    private int starts;

    private Daemon(Path dataDirectory, String cgroupParent, int port, List<String> jvmOptions, List<String> options) {
        this(dataDirectory, cgroupParent, port, jvmOptions, options, new Api(URI.create("http://127.0.0.1:" + port)));
    }

    private Daemon(Path dataDirectory, String cgroupParent, int port, List<String> jvmOptions, List<String> options, Api api) {
        this.dataDirectory = dataDirectory;
        this.cgroupParent = cgroupParent;
        this.port = port;
        this.jvmOptions = jvmOptions;
        this.options = options;
        this.api = api;
    }

    /** Starts a daemon with {@code options} (such as {@code --idle-timeout 2s}) added to its own. */
    static Daemon start(String... options) {
        return start(List.of(), options);
    }

    /**
     * Starts a daemon with {@code environment} (such as {@code PERPETUA_WARM_POOL}) added to its
     * own at this start and every restart.
     */
    static Daemon startWith(Map<String, String> environment, String... options) {
        try {
            Path data = Files.createTempDirectory("perpetua-it-");
            Daemon daemon = new Daemon(data, "perpetua-it-" + Long.toHexString(System.nanoTime()), freePort(), List.of(), List.of(options));
            daemon.environment = Map.copyOf(environment);
            daemon.launch();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a daemon whose JVM gets {@code jvmOptions} (such as {@code -Xmx256m}). */
    static Daemon start(List<String> jvmOptions, String... options) {
        try {
            Path data = Files.createTempDirectory("perpetua-it-");
            String cgroupParent = "perpetua-it-" + Long.toHexString(System.nanoTime());
            Daemon daemon = new Daemon(data, cgroupParent, freePort(), jvmOptions, List.of(options));
            daemon.launch();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a daemon serving HTTPS with {@code certificate} and {@code key} (PEM files); its
     * {@link #api()} trusts that certificate alone.
     */
    static Daemon startTls(Path certificate, Path key, String... options) {
        try {
            Path data = Files.createTempDirectory("perpetua-it-");
            int port = freePort();
            List<String> all = new ArrayList<>(List.of(options));
            all.addAll(List.of("--tls-cert", certificate.toString(), "--tls-key", key.toString()));
            Api api = new Api(URI.create("https://127.0.0.1:" + port), Perpetua.trusting(certificate));
            Daemon daemon = new Daemon(data, "perpetua-it-" + Long.toHexString(System.nanoTime()), port, List.of(), all, api);
            daemon.launch();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a daemon without PERPETUA_ADMIN_KEY, as an operator's first start: it prints a
     * random admin key. {@link #api()} has no valid key then.
     */
    static Daemon startPrintingAdminKey() {
        try {
            Path data = Files.createTempDirectory("perpetua-it-");
            Daemon daemon = new Daemon(data, "perpetua-it-" + Long.toHexString(System.nanoTime()), freePort(), List.of(), List.of());
            daemon.fixedAdminKey = false;
            daemon.launch();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Api api() {
        return api;
    }

    /** What the daemon printed since its last start. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    /** The daemon's process id on the host. */
    long pid() {
        return process.pid();
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    String cgroupParent() {
        return cgroupParent;
    }

    /** Kills the daemon the hard way: no shutdown hook runs. */
    void kill9() {
        process.destroyForcibly();
        waitForExit();
    }

    /** Asks the daemon to stop (SIGTERM), as an operator would, and waits for it. */
    void terminate() {
        process.destroy();
        waitForExit();
    }

    /** Starts the daemon again on the same data directory and port. */
    void restart() {
        restart(Map.of());
    }

    /**
     * Starts the daemon again on the same data directory and port, with {@code environment}
     * added to its own (such as {@code PERPETUA_CRASH_AT}), and waits until it answers.
     */
    void restart(Map<String, String> environment, String... extraOptions) {
        if (process.isAlive()) {
            terminate();
        }
        launch(environment, List.of(extraOptions));
        awaitUp();
    }

    /**
     * Starts the daemon again like {@link #restart(Map, String...)} without waiting for it to
     * answer: for a daemon expected to halt at a crash point while it starts.
     */
    void relaunch(Map<String, String> environment, String... extraOptions) {
        if (process.isAlive()) {
            terminate();
        }
        launch(environment, List.of(extraOptions));
    }

    /** Waits (at most {@code limit}) for the daemon to exit by itself, and returns its exit status. */
    int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the daemon did not exit within " + limit + "; see " + log.toAbsolutePath());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Whether the daemon process is alive. */
    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            terminate();
        }
        new RunscRuntime(new RunscConfig("runsc", dataDirectory, "ptrace", cgroupParent, network())).purge();
        deleteTree(dataDirectory);
    }

    /**
     * Test daemons take sandbox addresses from their own subnet, apart from a daemon an operator
     * may run; {@code -Dperpetua.it.subnet} moves them, so that two checkouts can test at once.
     */
    static final String TEST_SUBNET = System.getProperty("perpetua.it.subnet", "10.234.0.0/16");

    /** The network the daemon was started with, so that purging also removes its host rules. */
    private NetworkConfig network() {
        int flag = options.indexOf("--network");
        if (flag >= 0 && options.get(flag + 1).equals("none")) {
            return NetworkConfig.NONE;
        }
        int subnet = options.indexOf("--subnet");
        return new NetworkConfig(true, subnet < 0 ? TEST_SUBNET : options.get(subnet + 1));
    }

    private void launch() {
        launch(Map.of(), List.of());
        awaitUp();
    }

    private void launch(Map<String, String> environment, List<String> extraOptions) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(),
                "--port", Integer.toString(port),
                "--data-dir", dataDirectory.toString(),
                "--cgroup-parent", cgroupParent));
        if (!options.contains("--subnet")) {
            command.addAll(List.of("--subnet", TEST_SUBNET));
        }
        command.addAll(options);
        command.addAll(extraOptions);
        log = Path.of("target", "daemon-" + dataDirectory.getFileName() + "-" + (++starts) + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            daemon.environment().remove("PERPETUA_ADMIN_KEY");
            daemon.environment().remove(CrashPoint.VARIABLE);
            if (fixedAdminKey) {
                daemon.environment().put("PERPETUA_ADMIN_KEY", Api.ADMIN_KEY);
            }
            daemon.environment().putAll(this.environment);
            daemon.environment().putAll(environment);
            process = daemon.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the daemon", e);
        }
    }

    private void awaitUp() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            return api.isUp();
        });
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
