package io.perpetua.client;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One subscriber's reading of a process's output stream ({@code GET …/logs} as server-sent
 * events whose ids are byte offsets). Its thread delivers each event once demanded, remembers
 * the offset of the last one delivered, and after a dropped connection asks again with that
 * offset as {@code Last-Event-ID}, so the subscriber gets every piece once and in order. It
 * completes after the {@code exit} event; it gives up after {@value #MAX_FAILURES} connections
 * in a row that brought nothing.
 */
final class LogSubscription implements Flow.Subscription, Closeable {

    static final int MAX_FAILURES = 10;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final Http http;
    private final String path;
    private final Flow.Subscriber<? super LogEvent> subscriber;
    private final Consumer<ProcessInfo> onExit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long demand;
    private RuntimeException stop;
    private volatile boolean cancelled;
    private volatile InputStream body;
    private long offset;

    LogSubscription(Http http, String path, long from, Flow.Subscriber<? super LogEvent> subscriber,
                    Consumer<ProcessInfo> onExit) {
        this.http = http;
        this.path = path;
        this.offset = from;
        this.subscriber = subscriber;
        this.onExit = onExit;
    }

    @Override
    public void request(long n) {
        lock.lock();
        try {
            if (n <= 0) {
                stopWith(new IllegalArgumentException("request(n) needs n > 0 (Reactive Streams rule 3.9) but was " + n));
            } else {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        signal();
        closeBody();
    }

    /** Ends the subscription with an error: the client that owns it was closed. */
    @Override
    public void close() {
        stopWith(new IllegalStateException("the Perpetua client was closed while following " + path));
    }

    /** The reader thread: follows the stream, then signals the subscriber how it ended, unless it cancelled. */
    void run() {
        http.track(this);
        RuntimeException failure = null;
        try {
            follow();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            http.untrack(this);
            closeBody();
        }
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (failure == null) {
            subscriber.onComplete();
        } else {
            subscriber.onError(failure);
        }
    }

    /** Reads connection after connection until the exit event, a cancel, or a failure that retrying cannot mend. */
    private void follow() {
        int failures = 0;
        while (!cancelled) {
            throwIfStopped();
            long before = offset;
            PerpetuaException dropped;
            try {
                if (readConnection()) {
                    return;
                }
                continue;
            } catch (PerpetuaException e) {
                if (!e.code().equals(PerpetuaException.UNREACHABLE) && !e.code().equals(PerpetuaException.CONNECTION_LOST)) {
                    throw e;
                }
                dropped = e;
            }
            throwIfStopped();
            failures = offset > before ? 1 : failures + 1;
            if (failures > MAX_FAILURES) {
                throw new PerpetuaException(PerpetuaException.CONNECTION_LOST, "gave up following " + path + " at offset "
                        + offset + " after " + MAX_FAILURES + " attempts in a row to reconnect to " + http.base()
                        + " brought nothing: " + dropped.getMessage(), 0, dropped);
            }
            pause(failures);
        }
    }

    /**
     * Reads one connection's events.
     *
     * @return true when the process's exit event came or the subscriber cancelled
     * @throws PerpetuaException with {@code connection_lost} when the connection ended first
     */
    private boolean readConnection() {
        HttpRequest request = http.request(path)
                .setHeader("Accept", "text/event-stream")
                .header("Last-Event-ID", Long.toString(offset))
                .GET()
                .build();
        HttpResponse<InputStream> response = http.open(request);
        try (InputStream in = response.body()) {
            body = in;
            if (cancelled || stopped()) {
                return cancelled;
            }
            EventReader events = new EventReader(in);
            for (EventReader.Event event = events.next(); event != null; event = events.next()) {
                if (event.name().equals("exit")) {
                    onExit.accept(http.decode(response, event.data(), ProcessInfo::from));
                    return true;
                }
                if (!deliver(event, response)) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw http.connectionLost(request, e);
        } finally {
            body = null;
        }
        throw http.connectionLost(request, new EOFException("the event stream ended before the process's exit event"));
    }

    /** Hands an output event to the subscriber once it asked for one; false when it cancelled. */
    private boolean deliver(EventReader.Event event, HttpResponse<?> response) {
        if (event.id() == null) {
            return true;
        }
        long next = eventOffset(event, response);
        if (next <= offset) {
            return true;
        }
        if (!awaitDemand()) {
            return false;
        }
        try {
            subscriber.onNext(new LogEvent(event.name(), event.data(), next));
        } catch (RuntimeException e) {
            // A subscriber must not throw (rule 2.13); one that does is treated as cancelled.
            cancelled = true;
            return false;
        }
        offset = next;
        return true;
    }

    private long eventOffset(EventReader.Event event, HttpResponse<?> response) {
        try {
            return Long.parseLong(event.id());
        } catch (NumberFormatException e) {
            throw new PerpetuaException(PerpetuaException.BAD_RESPONSE, "the daemon at " + http.base()
                    + " sent an event on " + path + " whose id is not a byte offset: '" + event.id() + "'",
                    response.statusCode(), e);
        }
    }

    private boolean awaitDemand() {
        lock.lock();
        try {
            while (demand == 0 && !cancelled && stop == null) {
                changed.await();
            }
            throwIfStopped();
            if (cancelled) {
                return false;
            }
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            return true;
        } catch (InterruptedException e) {
            throw interrupted(e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits before reconnecting: not at all after a connection that brought something, then longer each time. */
    private void pause(int failures) {
        if (failures <= 1) {
            return;
        }
        long nanos = TimeUnit.MILLISECONDS.toNanos(Math.min(FIRST_BACKOFF_MILLIS << Math.min(failures - 2, 16), MAX_BACKOFF_MILLIS));
        lock.lock();
        try {
            while (nanos > 0 && !cancelled && stop == null) {
                nanos = changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            throw interrupted(e);
        } finally {
            lock.unlock();
        }
    }

    private PerpetuaException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new PerpetuaException(PerpetuaException.INTERRUPTED, "interrupted while following " + path, 0, e);
    }

    private void stopWith(RuntimeException error) {
        lock.lock();
        try {
            if (stop == null) {
                stop = error;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        closeBody();
    }

    private boolean stopped() {
        lock.lock();
        try {
            return stop != null;
        } finally {
            lock.unlock();
        }
    }

    private void throwIfStopped() {
        lock.lock();
        try {
            if (stop != null) {
                throw stop;
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void closeBody() {
        InputStream current = body;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // It is being closed to stop reading; nothing more to do.
            }
        }
    }
}
