package io.perpetua.events;

import io.perpetua.access.ProjectId;
import io.perpetua.lifecycle.LifecycleListener;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.SnapshotAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The lifecycle transitions of all sandboxes, and what is done with their saved snapshots, as a feed that clients follow: every transition is
 * numbered, kept in a window of the latest ones (so a client that reconnects with the last
 * number it saw misses nothing that is still in the window) and handed to every subscriber of
 * its project. Publishing never blocks the engine: a subscriber too slow to keep
 * {@link #SUBSCRIBER_BACKLOG} events is dropped, and its client reconnects.
 */
public final class EventFeed implements LifecycleListener {

    /** How many of the latest events are kept for clients that reconnect. */
    static final int WINDOW = 1000;
    /** How many events a subscriber may fall behind before it is dropped. */
    static final int SUBSCRIBER_BACKLOG = 10_000;

    private final Deque<SandboxEvent> window = new ArrayDeque<>();
    private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
    private long lastId;

    @Override
    public void onStateChanged(Sandbox sandbox, SandboxState from) {
        publish(id -> new SandboxEvent(id, SandboxEvent.Kind.TRANSITION, sandbox.id(), sandbox.project(), from, sandbox.state(),
                sandbox.stateChangedAt(), sandbox.failureReason(), null, null));
    }

    @Override
    public void onSnapshot(SnapshotAction action, SavedSnapshot snapshot, SandboxId sandbox, Instant at) {
        publish(id -> new SandboxEvent(id, SandboxEvent.Kind.SNAPSHOT, sandbox, snapshot.project(), null, null, at, null, action,
                snapshot.id()));
    }

    @Override
    public void onExpired(Sandbox sandbox, String reason) {
        publish(id -> new SandboxEvent(id, SandboxEvent.Kind.EXPIRED, sandbox.id(), sandbox.project(), null, null, sandbox.stateChangedAt(),
                reason, null, null));
    }

    private void publish(LongFunction<SandboxEvent> numbered) {
        SandboxEvent event;
        synchronized (window) {
            event = numbered.apply(++lastId);
            window.addLast(event);
            if (window.size() > WINDOW) {
                window.removeFirst();
            }
        }
        for (Subscription subscriber : subscribers) {
            subscriber.offer(event);
        }
    }

    /**
     * Follows the events of {@code project}'s sandboxes, starting after event {@code afterId}
     * (those still in the window are delivered first; 0: only new ones).
     */
    public Subscription subscribe(ProjectId project, long afterId) {
        Subscription subscription = new Subscription(project);
        synchronized (window) {
            if (afterId > 0) {
                window.stream().filter(event -> event.id() > afterId).forEach(subscription::offer);
            }
            subscribers.add(subscription);
        }
        return subscription;
    }

    /** One client's place in the feed. */
    public final class Subscription implements AutoCloseable {

        private final ProjectId project;
        private final LinkedBlockingQueue<SandboxEvent> queue = new LinkedBlockingQueue<>(SUBSCRIBER_BACKLOG);
        private volatile boolean dropped;

        private Subscription(ProjectId project) {
            this.project = project;
        }

        private void offer(SandboxEvent event) {
            if (event.project().equals(project) && !queue.offer(event)) {
                dropped = true;
                subscribers.remove(this);
            }
        }

        /**
         * The next event, or null if none came within {@code wait}.
         *
         * @throws IllegalStateException if this subscriber fell too far behind and was dropped
         */
        public SandboxEvent next(Duration wait) throws InterruptedException {
            SandboxEvent event = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null && dropped) {
                throw new IllegalStateException("fell more than " + SUBSCRIBER_BACKLOG + " events behind");
            }
            return event;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
