package io.perpetua.metering;

import io.perpetua.crash.CrashPoint;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the usage ledger: the engine reports every state change here (with its lock held, so
 * this only queues), and the changes are written in order on a background executor, off every
 * request's path. While the daemon runs it writes a heartbeat, so that after a crash the time a
 * lost container is billed for ends at the last moment the daemon knew it alive.
 */
public final class Metering implements AutoCloseable {

    /** Meters nothing: the engine's default when it is given no ledger. */
    public static final Metering NONE = new Metering(Ledger.NONE, Runnable::run, sandbox -> 0, Clock.systemUTC());

    /** How often the daemon records that it is alive. */
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(Metering.class);

    private final Ledger ledger;
    private final Executor writer;
    private final ToLongFunction<SandboxId> diskBytes;
    private final Clock clock;
    private final List<StateChange> pending = new ArrayList<>();
    private Instant lastHeartbeat = Instant.MIN;

    /**
     * @param ledger    where the lines go
     * @param writer    runs the writes, one at a time and in order (a single thread, or the caller's in tests)
     * @param diskBytes bytes a sandbox's own files hold on the host disk, measured when it goes dormant
     * @param clock     the engine's clock
     */
    public Metering(Ledger ledger, Executor writer, ToLongFunction<SandboxId> diskBytes, Clock clock) {
        this.ledger = ledger;
        this.writer = writer;
        this.diskBytes = diskBytes;
        this.clock = clock;
    }

    /**
     * Metering whose writes run on a thread of its own; {@link #close()} writes what is queued.
     */
    public static Metering inBackground(Ledger ledger, ToLongFunction<SandboxId> diskBytes, Clock clock) {
        return new Metering(ledger, Executors.newSingleThreadExecutor(Thread.ofPlatform().name("perpetua-ledger").daemon().factory()),
                diskBytes, clock);
    }

    /** Writes every queued change and stops the writer, if it is one of its own. */
    @Override
    public void close() {
        if (!(writer instanceof ExecutorService own)) {
            return;
        }
        own.shutdown();
        try {
            if (!own.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("the usage ledger was still writing after 30 s; changes not written are recovered at the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The ledger itself, for reports. */
    public Ledger ledger() {
        return ledger;
    }

    /** {@code sandbox} is now in its state, since its {@code stateChangedAt}; {@code used} is its container's accounting. */
    public void changed(Sandbox sandbox, ResourceUsage used) {
        queue(line(sandbox, sandbox.stateChangedAt(), used));
    }

    /** Called on every tick of the engine: records a heartbeat now and then. */
    public void tick() {
        Instant now = clock.instant();
        if (Duration.between(lastHeartbeat, now).compareTo(HEARTBEAT) < 0) {
            return;
        }
        lastHeartbeat = now;
        writer.execute(() -> write(() -> ledger.heartbeat(now)));
    }

    /**
     * After a restart: brings the ledger in line with what recovery found. A change the ledger
     * missed (one still queued when the daemon died) is recorded as of when it happened, as far
     * as the store knows it: a sandbox whose container was lost (the host restarted, say) is
     * billed as it was until the last heartbeat; a deleted one until its deletion was asked for;
     * any other change from when the store says it happened (recovery's own changes happen now).
     *
     * @param live   the sandboxes recovery found alive
     * @param stored the store's record of a sandbox, for those the ledger has as alive and recovery did not
     */
    public void recovered(Collection<Sandbox> live, Function<SandboxId, Optional<Sandbox>> stored) {
        Map<SandboxId, StateChange> latest = ledger.latest();
        Instant now = clock.instant();
        Instant lastAlive = ledger.lastHeartbeat().filter(at -> at.isBefore(now)).orElse(now);
        Set<SandboxId> seen = new HashSet<>();
        for (Sandbox sandbox : live) {
            seen.add(sandbox.id());
            StateChange known = latest.get(sandbox.id());
            if (known != null && known.state() == sandbox.state()) {
                continue;
            }
            boolean lost = known != null && awake(known.state()) && !awake(sandbox.state());
            Instant at = known == null ? sandbox.stateChangedAt()
                    : later(lost ? lastAlive : sandbox.stateChangedAt(), known.at());
            queue(line(sandbox, at, ResourceUsage.NONE));
        }
        latest.values().stream()
                .filter(known -> !seen.contains(known.sandbox()) && known.state() != SandboxState.DELETED)
                .forEach(known -> {
                    Instant deletedAt = stored.apply(known.sandbox()).filter(s -> s.state() == SandboxState.DELETED)
                            .map(Sandbox::stateChangedAt).orElse(now);
                    queue(new StateChange(known.sandbox(), known.project(), SandboxState.DELETED, later(deletedAt, known.at()),
                            known.cpus(), known.memoryMb(), known.generation(), 0, 0, 0));
                });
    }

    private StateChange line(Sandbox sandbox, Instant at, ResourceUsage used) {
        return new StateChange(sandbox.id(), sandbox.project(), sandbox.state(), at, sandbox.spec().cpus(),
                sandbox.spec().memoryMb(), sandbox.generation(), used.cpuNanos(), used.peakMemoryBytes(),
                sandbox.snapshot() == null ? 0 : sandbox.snapshot().sizeBytes());
    }

    private void queue(StateChange change) {
        synchronized (pending) {
            pending.add(change);
        }
        try {
            writer.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // Closed: the daemon is stopping; the next start reconciles the ledger with what it finds.
            log.warn("usage ledger closed; {} of {} not written now", change.state(), change.sandbox());
        }
    }

    /** Writes what is queued; measures the disk of sandboxes that went dormant first. */
    private void drain() {
        List<StateChange> batch;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        List<StateChange> measured = batch.stream()
                .map(change -> change.dormant() ? change.withStoredBytes(change.storedBytes() + disk(change.sandbox())) : change)
                .toList();
        CrashPoint.LEDGER_APPENDING.reach();
        write(() -> ledger.append(measured));
    }

    private long disk(SandboxId sandbox) {
        try {
            return diskBytes.applyAsLong(sandbox);
        } catch (RuntimeException e) {
            log.warn("cannot measure the disk of sandbox {}; its storage is metered without it", sandbox, e);
            return 0;
        }
    }

    private static void write(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            log.error("cannot write to the usage ledger", e);
        }
    }

    private static boolean awake(SandboxState state) {
        return state == SandboxState.RUNNING || state.isFrozen();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
