package io.perpetua.server.api;

import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what a WebSocket route opened before the upgrade (a connection into a sandbox, a lease
 * keeping it awake) to the socket once it is open. Opening first lets a port that nothing
 * listens on be an HTTP error the client can read and retry, instead of a socket that closes
 * at once. What no socket claims in time (the upgrade failed, the client left) is closed, so
 * nothing keeps a sandbox awake for a socket that never was.
 */
final class UpgradeHandoff<T extends AutoCloseable> {

    private static final Logger log = LoggerFactory.getLogger(UpgradeHandoff.class);
    private static final String ATTRIBUTE = "perpetua.upgrade-handoff";
    private static final Duration CLAIM_WITHIN = Duration.ofSeconds(30);

    private final Map<String, T> pending = new ConcurrentHashMap<>();

    /** Keeps {@code opened} for the socket that {@code ctx} is about to become. */
    void offer(Context ctx, T opened) {
        String key = UUID.randomUUID().toString();
        pending.put(key, opened);
        ctx.attribute(ATTRIBUTE, key);
        CompletableFuture.delayedExecutor(CLAIM_WITHIN.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            T unclaimed = pending.remove(key);
            if (unclaimed != null) {
                log.debug("closing what was opened for a WebSocket that never opened ({})", ctx.path());
                close(unclaimed);
            }
        });
    }

    /** What was opened for this socket before its upgrade. */
    T claim(WsContext ctx) {
        String key = ctx.attribute(ATTRIBUTE);
        T opened = key == null ? null : pending.remove(key);
        if (opened == null) {
            throw new IllegalStateException("nothing was opened for WebSocket " + ctx.sessionId() + " or it was claimed too late");
        }
        return opened;
    }

    private static void close(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.debug("closing an unclaimed WebSocket resource failed", e);
        }
    }
}
