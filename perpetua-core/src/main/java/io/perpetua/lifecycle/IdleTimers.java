package io.perpetua.lifecycle;

import io.perpetua.sandbox.ExpirationPolicy;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.store.SandboxStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time passing for the sandboxes. On every {@link #tick}: a sandbox whose lifecycle's rules
 * say so is deleted (a {@code ttl-idle} rule never deletes one in use); a sandbox idle past its
 * window goes to standby (or, as its lifecycle says, stays running or is deleted); one in standby past its {@code hibernateAfter}, or, while the host has less
 * memory available than it should, the one longest in standby, is handed to the background
 * executor for hibernation; and changes not yet written (activity, a thaw) go to the store.
 * A sandbox busy with a transition is skipped, and one whose last automatic transition failed
 * is left alone for {@link #RETRY_BACKOFF}.
 */
final class IdleTimers {

    private static final Logger log = LoggerFactory.getLogger(IdleTimers.class);
    /** After an automatic transition fails, the sandbox is left as it is this long before the next try. */
    static final Duration RETRY_BACKOFF = Duration.ofSeconds(30);

    private final Collection<ManagedSandbox> sandboxes;
    private final Transitions transitions;
    private final SandboxStore store;
    private final long minAvailableMemory;
    private final Clock clock;
    private final Executor background;
    private final HostMemory hostMemory;
    private final KeepAwake keepAwake;
    private final BooleanSupplier closed;
    private final BiConsumer<ManagedSandbox, String> expire;
    private final AtomicInteger pressureHibernations = new AtomicInteger();
    private final Duration reclaimAfter;
    /** Set once the runtime said it cannot reclaim memory (no swap): the tier is off from then on. */
    private volatile boolean reclaimUnavailable;

    /**
     * @param sandboxes          a live view of the engine's sandboxes
     * @param minAvailableMemory bytes the host should keep available; 0 turns memory pressure off
     * @param closed             whether the engine is closing (no hibernation starts then)
     * @param expire             deletes a sandbox its lifecycle ends, for the reason given; called with its lock held
     * @param reclaimAfter       time in standby before a sandbox's memory is given back; null: never
     */
    IdleTimers(Collection<ManagedSandbox> sandboxes, Transitions transitions, SandboxStore store, long minAvailableMemory, Clock clock,
               Executor background, HostMemory hostMemory, KeepAwake keepAwake, BooleanSupplier closed,
               BiConsumer<ManagedSandbox, String> expire, Duration reclaimAfter) {
        this.reclaimAfter = reclaimAfter;
        this.reclaimUnavailable = reclaimAfter == null;
        this.sandboxes = sandboxes;
        this.transitions = transitions;
        this.store = store;
        this.minAvailableMemory = minAvailableMemory;
        this.clock = clock;
        this.background = background;
        this.hostMemory = hostMemory;
        this.keepAwake = keepAwake;
        this.closed = closed;
        this.expire = expire;
    }

    void tick() {
        Instant now = clock.instant();
        for (ManagedSandbox m : sandboxes) {
            if (!m.tryLock()) {
                continue;
            }
            try {
                if (m.mayRetry(now)) {
                    evaluate(m, now);
                }
                flush(m);
            } catch (RuntimeException e) {
                m.backOff(now.plus(RETRY_BACKOFF));
                log.warn("lifecycle tick failed for sandbox {}; next try in {} s", m.id(), RETRY_BACKOFF.toSeconds(), e);
            } finally {
                m.unlock();
            }
        }
        relieveMemoryPressure();
    }

    /** Writes the sandbox's record if it changed since it was last written; the caller holds its lock. */
    void flush(ManagedSandbox m) {
        if (m.takeDirty() && m.state() != SandboxState.DELETED) {
            store.update(m.record());
        }
    }

    private void evaluate(ManagedSandbox m, Instant now) {
        Sandbox s = m.record();
        Optional<ExpirationPolicy> due = s.lifecycle().due(s, now).filter(rule -> rule.type() != ExpirationPolicy.Type.TTL_IDLE || idle(m));
        if (due.isPresent()) {
            expire.accept(m, "expired: " + due.get().describe());
            return;
        }
        if (s.state() == SandboxState.RUNNING && s.lifecycle().onIdle() != Lifecycle.OnIdle.NONE && m.inflight() == 0
                && !now.isBefore(s.lastActivityAt().plus(s.spec().idleTimeout()))) {
            if (keepAwake.keepsAwake(s.id())) {
                return;
            }
            if (s.lifecycle().onIdle() == Lifecycle.OnIdle.DELETE) {
                expire.accept(m, "idle for " + s.spec().idleTimeout().toSeconds() + " s (onIdle: delete)");
                return;
            }
            transitions.standby(m);
        } else if (s.state().isFrozen() && !now.isBefore(asleepSince(s).plus(s.spec().hibernateAfter()))) {
            scheduleHibernation(m, () -> { });
        } else if (s.state() == SandboxState.STANDBY && !reclaimUnavailable && !now.isBefore(s.stateChangedAt().plus(reclaimAfter))) {
            scheduleReclaim(m, () -> { });
        }
    }

    /** When a frozen sandbox fell asleep: a reclaimed one was reclaimed {@code reclaimAfter} after it did. */
    private Instant asleepSince(Sandbox s) {
        return s.state() == SandboxState.RECLAIMED && reclaimAfter != null ? s.stateChangedAt().minus(reclaimAfter) : s.stateChangedAt();
    }

    /** Whether nothing uses the sandbox: no request in it and nothing keeping it awake (a process, a stream). */
    private boolean idle(ManagedSandbox m) {
        return m.inflight() == 0 && !keepAwake.keepsAwake(m.id());
    }

    private void relieveMemoryPressure() {
        if (minAvailableMemory == 0 || pressureHibernations.get() > 0 || hostMemory.availableBytes() >= minAvailableMemory) {
            return;
        }
        sandboxes.stream()
                .filter(m -> m.state().isFrozen() && !m.hibernationPending() && m.mayRetry(clock.instant()))
                .min(Comparator.comparing(m -> asleepSince(m.record())))
                .ifPresent(m -> {
                    pressureHibernations.incrementAndGet();
                    if (m.state() == SandboxState.STANDBY && !reclaimUnavailable) {
                        log.info("host memory is short; reclaiming the memory of sandbox {}, the longest in standby", m.id());
                        scheduleReclaim(m, pressureHibernations::decrementAndGet);
                        return;
                    }
                    log.info("host memory is short; hibernating sandbox {}, the longest asleep", m.id());
                    scheduleHibernation(m, pressureHibernations::decrementAndGet);
                });
    }

    private void scheduleReclaim(ManagedSandbox m, Runnable done) {
        inBackground(m, "reclamation", () -> {
            if (m.state() == SandboxState.STANDBY && !transitions.reclaim(m)) {
                reclaimUnavailable = true;
                log.warn("the runtime cannot reclaim memory here (no swap); standby sandboxes keep their memory until they hibernate");
            }
        }, done);
    }

    private void scheduleHibernation(ManagedSandbox m, Runnable done) {
        inBackground(m, "hibernation", () -> {
            if (m.state().isFrozen()) {
                transitions.hibernate(m);
            }
        }, done);
    }

    /** Runs {@code transition} with the sandbox's lock held on the background executor, unless one is pending already. */
    private void inBackground(ManagedSandbox m, String what, Runnable transition, Runnable done) {
        if (!m.claimHibernation()) {
            done.run();
            return;
        }
        background.execute(() -> {
            try {
                m.locked(() -> {
                    if (!closed.getAsBoolean()) {
                        transition.run();
                    }
                });
            } catch (RuntimeException e) {
                m.backOff(clock.instant().plus(RETRY_BACKOFF));
                log.warn("background {} of sandbox {} failed; next try in {} s", what, m.id(), RETRY_BACKOFF.toSeconds(), e);
            } finally {
                m.releaseHibernation();
                done.run();
            }
        });
    }
}
