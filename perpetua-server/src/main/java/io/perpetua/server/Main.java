package io.perpetua.server;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs the daemon until it is stopped (SIGINT or SIGTERM stop it gracefully). */
public final class Main {

    private Main() {
    }

    /**
     * @param args server options such as {@code --port 7777 --data-dir /var/lib/perpetua}; see {@link ServerOptions}
     */
    public static void main(String[] args) throws InterruptedException {
        ServerConfig config;
        try {
            config = ServerOptions.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("perpetua server: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(config);
    }

    /** Starts the daemon with {@code config} and blocks until the JVM is asked to stop. */
    public static void run(ServerConfig config) throws InterruptedException {
        PerpetuaServer server = PerpetuaServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("perpetua-shutdown").unstarted(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
