package io.perpetua.lifecycle;

import io.perpetua.runtime.ResourceUsage;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The engine's handle on one sandbox. Every decision about the sandbox (to sleep, to wake, to
 * accept a request) is made with {@link #lock} held, so deciding to sleep and accepting a
 * request are atomic with respect to each other. The record is volatile so that reads of
 * metadata never wait for a transition in progress.
 */
final class ManagedSandbox {

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean hibernationScheduled = new AtomicBoolean();
    private volatile Sandbox record;
    private volatile Instant retryAfter = Instant.EPOCH;
    private int inflight;
    private boolean dirty;
    /** What its container had used at its last metered change; null when unknown (since the daemon started). */
    private ResourceUsage lastUsage;

    ManagedSandbox(Sandbox record) {
        this.record = record;
    }

    SandboxId id() {
        return record.id();
    }

    Sandbox record() {
        return record;
    }

    SandboxState state() {
        return record.state();
    }

    <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    boolean tryLock() {
        return lock.tryLock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Replaces the record; the caller holds the lock and decides how to persist it. */
    void set(Sandbox newRecord) {
        record = newRecord;
    }

    /** A request starts using the sandbox: it may not go to sleep until {@link #endRequest}. */
    void beginRequest(Instant now) {
        inflight++;
        touch(now);
    }

    void endRequest(Instant now) {
        inflight--;
        touch(now);
    }

    int inflight() {
        return inflight;
    }

    /** Records activity; it is written to the store on the next flush. */
    void touch(Instant now) {
        record = record.withLastActivity(now);
        dirty = true;
    }

    ResourceUsage lastUsage() {
        return lastUsage;
    }

    void lastUsage(ResourceUsage usage) {
        this.lastUsage = usage;
    }

    void markDirty() {
        dirty = true;
    }

    /** Whether the record changed since the last flush; clears the flag. */
    boolean takeDirty() {
        boolean was = dirty;
        dirty = false;
        return was;
    }

    /** Whether automatic transitions may be tried at {@code now}; false for a while after one failed. */
    boolean mayRetry(Instant now) {
        return !now.isBefore(retryAfter);
    }

    /** An automatic transition failed: leave the sandbox alone until {@code until}. */
    void backOff(Instant until) {
        retryAfter = until;
    }

    /** Claims the right to schedule one background hibernation; false if one is already pending. */
    boolean claimHibernation() {
        return hibernationScheduled.compareAndSet(false, true);
    }

    void releaseHibernation() {
        hibernationScheduled.set(false);
    }

    boolean hibernationPending() {
        return hibernationScheduled.get();
    }
}
