package io.perpetua.runtime.gvisor;

import io.perpetua.crash.CrashPoint;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes started ahead of demand and kept frozen (no CPU, ~12 MB each) until a create of
 * the same shape takes one: that create then costs a thaw instead of a {@code runsc run}
 * (~220 ms on these machines). The shape is what cannot change after start: the template, the
 * memory limit (gVisor sizes its memory at boot), the disk and the process and open-file limits.
 * CPUs, environment and network policy are applied when a sandbox is taken. Pooled sandboxes are in no store, so after a crash recovery removes them.
 */
final class WarmPool implements AutoCloseable {

    /** What the pool needs of the runtime. */
    interface Containers {
        void start(ContainerRef ref, SandboxSpec spec);

        /** Runs a first command, so that the sandbox's first real one finds the helper and libc cached. */
        void warmUp(ContainerRef ref);

        void freeze(ContainerRef ref);

        void destroy(SandboxId sandbox);
    }

    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(60);

    private final int size;
    private final SandboxSpec shape;
    private final Containers containers;
    private final Deque<SandboxId> ready = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean filling = new AtomicBoolean();
    private final ExecutorService filler = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("perpetua-warm-pool").daemon().factory());
    private volatile boolean closed;

    WarmPool(int size, SandboxSpec shape, Containers containers) {
        this.size = size;
        this.shape = Objects.requireNonNull(shape, "shape");
        this.containers = containers;
    }

    /** Starts filling the pool in the background. */
    void fill() {
        if (size > 0 && !closed && filling.compareAndSet(false, true)) {
            filler.execute(this::topUp);
        }
    }

    /** A frozen sandbox of {@code spec}'s shape, now the caller's; empty if none is ready. */
    Optional<SandboxId> take(SandboxSpec spec) {
        boolean sameShape = shape.template().equals(spec.template()) && shape.memoryMb().equals(spec.memoryMb())
                && Objects.equals(shape.diskMb(), spec.diskMb()) && Objects.equals(shape.maxProcesses(), spec.maxProcesses())
                && Objects.equals(shape.maxOpenFiles(), spec.maxOpenFiles());
        if (!sameShape) {
            return Optional.empty();
        }
        SandboxId taken = ready.pollFirst();
        fill();
        return Optional.ofNullable(taken);
    }

    int readyCount() {
        return ready.size();
    }

    private void topUp() {
        try {
            while (!closed && ready.size() < size) {
                startOne();
            }
        } finally {
            filling.set(false);
        }
        if (!closed && ready.size() < size) {
            fill();
        }
    }

    private void startOne() {
        ContainerRef ref = new ContainerRef(SandboxId.random(), 1);
        try {
            containers.start(ref, shape);
            CrashPoint.WARM_POOL_STARTED.reach();
            containers.warmUp(ref);
            containers.freeze(ref);
            ready.addLast(ref.sandbox());
        } catch (RuntimeException e) {
            log.warn("could not start a warm sandbox; retrying in {} s", RETRY_AFTER_FAILURE.toSeconds(), e);
            destroyQuietly(ref.sandbox());
            LockSupport.parkNanos(RETRY_AFTER_FAILURE.toNanos());
        }
    }

    /**
     * Stops filling and removes the sandboxes nobody took. A start in progress is let finish, not
     * interrupted: interrupted, it would leave half a sandbox (its network, its mounts) behind.
     */
    @Override
    public void close() {
        closed = true;
        filler.shutdown();
        try {
            if (!filler.awaitTermination(CLOSE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("a warm sandbox was still starting after {} s; the next start removes it", CLOSE_LIMIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SandboxId id;
        while ((id = ready.pollFirst()) != null) {
            destroyQuietly(id);
        }
    }

    private void destroyQuietly(SandboxId id) {
        try {
            containers.destroy(id);
        } catch (RuntimeException e) {
            log.warn("could not remove warm sandbox {}", id, e);
        }
    }
}
