package io.perpetua.client;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * What {@link Process#followLogs(long)} answers: a cold publisher, so every subscriber reads the
 * output on its own, from the same offset, on a virtual thread of its own.
 */
final class LogPublisher implements Flow.Publisher<LogEvent> {

    private final Http http;
    private final String path;
    private final long from;
    private final Consumer<ProcessInfo> onExit;
    private final String threadName;

    LogPublisher(Http http, String path, long from, Consumer<ProcessInfo> onExit, String threadName) {
        this.http = http;
        this.path = path;
        this.from = from;
        this.onExit = onExit;
        this.threadName = threadName;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super LogEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        LogSubscription subscription = new LogSubscription(http, path, from, subscriber, onExit);
        subscriber.onSubscribe(subscription);
        Thread.ofVirtual().name(threadName).start(subscription::run);
    }
}
