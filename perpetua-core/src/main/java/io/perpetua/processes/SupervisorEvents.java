package io.perpetua.processes;

import io.perpetua.runtime.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of a supervisor this daemon started attached (its output recorded, its end), read
 * as they come so that a follower looks at the process's files when there is news instead of
 * polling them. An event carries nothing but the fact: the files stay the one record of the
 * process, and a follower that misses the events (the supervisor let go, the connection lost)
 * still finds everything there.
 */
final class SupervisorEvents implements AutoCloseable {

    private final RunningCommand supervisor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private long events;
    private long awaited;
    private boolean over;

    /** Reads the events on {@code stdout}, where the supervisor writes them after its pids line. */
    SupervisorEvents(RunningCommand supervisor, InputStream stdout) {
        this.supervisor = supervisor;
        Thread.ofVirtual().name("supervisor-events").start(() -> read(stdout));
    }

    private void read(InputStream stdout) {
        byte[] buffer = new byte[256];
        try {
            while (stdout.read(buffer) > 0) {
                signal(false);
            }
        } catch (IOException | RuntimeException e) {
            // The connection is gone (closed by this side, or lost): no more news, the files remain.
        }
        signal(true);
    }

    private void signal(boolean end) {
        lock.lock();
        try {
            events++;
            over |= end;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code nanos} for an event not awaited before; returns at once if one came
     * since the previous call. Once the events ended, waits the whole time.
     */
    void await(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (events == awaited && !over && left > 0) {
                left = arrived.awaitNanos(left);
            }
            boolean news = events != awaited;
            awaited = events;
            if (news || left <= 0) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            lock.unlock();
        }
        LockSupport.parkNanos(nanos);
    }

    /** Whether the events still come: the supervisor listened to and the process not ended. */
    boolean live() {
        lock.lock();
        try {
            return !over;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        supervisor.close();
    }
}
