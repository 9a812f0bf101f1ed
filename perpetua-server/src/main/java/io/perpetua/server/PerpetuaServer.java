package io.perpetua.server;

import io.javalin.Javalin;
import io.perpetua.access.ApiKeys;
import io.perpetua.access.IssuedKey;
import io.perpetua.access.Previews;
import io.perpetua.crash.CrashPoint;
import io.perpetua.events.EventFeed;
import io.perpetua.lifecycle.HostMemory;
import io.perpetua.lifecycle.LifecycleListener;
import io.perpetua.lifecycle.LifecycleSettings;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.metering.Metering;
import io.perpetua.processes.KeepAliveProcesses;
import io.perpetua.processes.SandboxProcesses;
import io.perpetua.runtime.gvisor.NetworkConfig;
import io.perpetua.runtime.gvisor.RunscConfig;
import io.perpetua.runtime.gvisor.RunscRuntime;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.server.api.ApiRoutes;
import io.perpetua.server.api.UsageSource;
import io.perpetua.server.e2b.E2bApi;
import io.perpetua.server.mcp.McpEndpoint;
import io.perpetua.server.metrics.Metrics;
import io.perpetua.snapshot.local.LocalSnapshotStore;
import io.perpetua.store.sqlite.SqliteSandboxStore;
import io.perpetua.template.Templates;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: wires runtime, store, snapshots and the lifecycle engine behind the HTTP API,
 * and drives the engine's idle timers. {@link #close()} stops it gracefully: the API stops
 * taking requests, transitions in progress finish, pending state is written, and sandboxes are
 * left running, frozen or hibernated for the next start to adopt.
 */
public final class PerpetuaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PerpetuaServer.class);
    /** The daemon's version, as clients of its protocols are told. */
    static final String VERSION = "0.1.0";

    private final RunscRuntime runtime;
    private final SqliteSandboxStore store;
    private final SandboxService sandboxes;
    private final ScheduledExecutorService ticker;
    private final ExecutorService hibernator;
    private final Metering metering;
    private final E2bApi e2b;
    private final McpEndpoint mcp;
    private final Templates templates;
    private final Javalin http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PerpetuaServer(ServerConfig config) {
        CrashPoint.armed().ifPresent(point -> log.warn("crash point {} is armed: the daemon halts when it gets there", point.id()));
        Clock clock = Clock.systemUTC();
        NetworkConfig network = new NetworkConfig(config.network().equals("sandbox"), config.subnet());
        this.runtime = new RunscRuntime(new RunscConfig(config.runsc(), config.dataDirectory(), config.platform(), config.cgroupParent(), network,
                config.swapBytes() / (1024 * 1024)));
        this.store = SqliteSandboxStore.open(config.dataDirectory().resolve("perpetua.db"));
        this.metering = Metering.inBackground(store.ledger(), runtime::storedBytes, clock);
        this.hibernator = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("perpetua-hibernator").factory());
        Metrics metrics = new Metrics();
        EventFeed events = new EventFeed();
        LifecycleSettings settings = new LifecycleSettings(new SandboxSpec("default", config.idleTimeout(), config.hibernateAfter(),
                null, null, 1024, 1.0), config.minAvailableMemory(), config.projectQuota(), config.reclaimAfter());
        Previews previews = new Previews(store.previews(), clock);
        this.sandboxes = SandboxService.builder()
                .runtime(runtime)
                .store(store)
                .snapshots(new LocalSnapshotStore(config.dataDirectory().resolve("snapshots"), clock))
                .settings(settings)
                .clock(clock)
                .background(hibernator)
                .hostMemory(HostMemory.fromProcMeminfo())
                .listener(metrics)
                .listener(events)
                .listener(revokingPreviewsOfExpired(previews))
                .keepAwake(new KeepAliveProcesses(runtime))
                .metering(metering)
                .build();
        metrics.countStates(sandboxes::list);
        // Only now: recovery, in the engine's construction, removes every sandbox the store does not know.
        runtime.keepWarm(config.warmPool(), settings.defaults());
        metrics.countWarmPool(runtime::warmSandboxes);
        ApiKeys keys = new ApiKeys(store.keys(), clock);
        keys.ensureAdmin(Optional.ofNullable(config.adminKey()).map(Secret::value)).ifPresent(admin -> announce(admin, config));
        UsageSource usage = new UsageSource(store.ledger(), id -> store.find(id).map(s -> s.spec().labels()).orElse(Map.of()),
                config.prices());
        SandboxProcesses processes = new SandboxProcesses(sandboxes, runtime, clock);
        this.templates = new Templates(sandboxes, processes, runtime, store, clock, config.templateWarmPool());
        this.e2b = new E2bApi(sandboxes, processes, templates, runtime, keys, store, config.dataDirectory().resolve("e2b-envd.key"),
                () -> config.sandboxDomain() != null ? config.sandboxDomain() : "localhost:" + port(), clock);
        ApiRoutes routes = new ApiRoutes(sandboxes, processes, templates, runtime, previews, keys, usage, events, clock, metrics);
        this.mcp = new McpEndpoint(sandboxes, processes, previews, keys, VERSION);
        this.http = Javalin.create(javalin -> {
            javalin.concurrency.useVirtualThreads = true;
            javalin.startup.showJavalinBanner = false;
            javalin.http.maxRequestSize = 32L * 1024 * 1024;
            javalin.jetty.host = config.host();
            javalin.jetty.port = config.port();
            if (config.tls() != null) {
                // Javalin opens its plain connector only when none is configured: this one replaces it.
                javalin.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, config));
            }
            routes.register(javalin);
            e2b.register(javalin, routes.portForward());
            mcp.register(javalin);
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("perpetua-lifecycle").daemon().factory());
        long tick = config.tickInterval().toMillis();
        ticker.scheduleWithFixedDelay(sandboxes::tick, tick, tick, TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(e2b::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** A sandbox its lifecycle deleted loses its preview URLs, as one deleted through the API does. */
    private static LifecycleListener revokingPreviewsOfExpired(Previews previews) {
        return new LifecycleListener() {
            @Override
            public void onExpired(Sandbox sandbox, String reason) {
                previews.revokeAll(sandbox.id());
            }
        };
    }

    /**
     * Shows the admin key issued at the first start. Only its hash is stored, so this is the one
     * time anybody sees it; one fixed by the operator is not echoed.
     */
    private static void announce(IssuedKey admin, ServerConfig config) {
        if (config.adminKey() != null) {
            log.info("admin key {} issued from PERPETUA_ADMIN_KEY", admin.key().id());
            return;
        }
        System.out.println();
        System.out.println("  The admin API key of this daemon (shown once, only its hash is stored):");
        System.out.println();
        System.out.println("    export PERPETUA_API_KEY=" + admin.secret());
        System.out.println();
        System.out.flush();
        log.info("admin key {} issued and printed above", admin.key().id());
    }

    private static void await(ExecutorService executor, Duration limit, String lateWarning) {
        try {
            if (!executor.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{}; the next start recovers its sandbox", lateWarning);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the daemon and returns once it listens. */
    public static PerpetuaServer start(ServerConfig config) {
        closeIdleHttpConnectionsSoon();
        retryRequestsLostOnClosedConnections();
        PerpetuaServer server = new PerpetuaServer(config);
        server.http.start();
        log.info("perpetua listening on {}://{}:{} (data in {}, platform {})", config.tls() == null ? "http" : "https",
                config.host(), server.port(),
                config.dataDirectory(), config.platform());
        return server;
    }

    /**
     * Makes the JDK's HTTP clients close a connection after two idle seconds instead of thirty:
     * this runsc cannot checkpoint a sandbox that holds a connection, so the port proxy's idle
     * connections to a sandbox would keep it from hibernating for half a minute after the last
     * request. The JDK has no setting per client, only this system property, read once, when the
     * JVM makes its first HTTP client: hence here, before the API and its proxy exist. (A JVM that
     * made a client earlier keeps the JDK's default.)
     */
    private static void closeIdleHttpConnectionsSoon() {
        System.setProperty("jdk.httpclient.keepalive.timeout", "2");
    }

    /**
     * Makes the JDK's HTTP clients send again a request of any method that was lost on a pooled
     * connection the server had closed, not only GET and HEAD. A server that closes its connection
     * after each answer without saying so (an HTTP/1.0 server such as Python's http.server, in a
     * sandbox behind the port proxy) leaves such a connection, and the next request on it fails
     * before the server read any of it. The proxy keeps bodies up to a size in memory, so that they
     * can go again. Read once, like the keep-alive.
     */
    private static void retryRequestsLostOnClosedConnections() {
        System.setProperty("jdk.httpclient.enableAllMethodRetry", "true");
    }

    /** The port the API listens on (useful when configured as 0). */
    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("perpetua shutting down");
        mcp.close();
        http.stop();
        // Neither is interrupted: a transition cut in half is what a crash leaves, and a graceful stop should not.
        ticker.shutdown();
        hibernator.shutdown();
        templates.close();
        await(ticker, Duration.ofMinutes(1), "a lifecycle tick was still running at shutdown");
        await(hibernator, Duration.ofMinutes(5), "a hibernation was still running at shutdown");
        sandboxes.close();
        metering.close();
        runtime.close();
        store.close();
        log.info("perpetua stopped");
    }
}
