package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.events.EventFeed;
import io.perpetua.events.SandboxEvent;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /v1/events}: the lifecycle transitions of the caller's project's sandboxes as
 * server-sent events, as they happen. Each event's id is its number in the feed; a client that
 * reconnects with {@code Last-Event-ID} (or {@code ?after=}) gets what it missed, as far as the
 * feed's window of recent events reaches.
 */
final class EventRoutes {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final EventFeed feed;
    private final JsonCodec json;

    EventRoutes(EventFeed feed, JsonCodec json) {
        this.feed = feed;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.get("/v1/events", this::follow);
    }

    private void follow(Context ctx) throws InterruptedException {
        ProjectId project = AccessControl.project(ctx);
        long after = after(ctx);
        try (EventFeed.Subscription subscription = feed.subscribe(project, after)) {
            EventStream events = EventStream.open(ctx);
            while (true) {
                SandboxEvent event = subscription.next(HEARTBEAT);
                if (event == null) {
                    events.heartbeat();
                } else {
                    events.send(event.kind().wireName(), Long.toString(event.id()), json.write(view(event)));
                }
            }
        } catch (UncheckedIOException | IllegalStateException e) {
            // The client went away, or fell too far behind and reconnects with its last event id.
        }
    }

    private static long after(Context ctx) {
        String value = ctx.queryParam("after");
        String field = "after";
        if (value == null || value.isBlank()) {
            value = ctx.header("Last-Event-ID");
            field = "Last-Event-ID";
        }
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long after = Long.parseLong(value.strip());
            InvalidInputException.check(after >= 0, field, field + " must not be negative but was " + after);
            return after;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, field + " must be the number of an event but was '"
                    + (value.length() > 32 ? value.substring(0, 32) + "…" : value) + "'");
        }
    }

    static Map<String, Object> view(SandboxEvent event) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", event.id());
        view.put("sandbox", event.sandbox().value());
        switch (event.kind()) {
            case SNAPSHOT -> {
                view.put("action", event.snapshotAction().wireName());
                view.put("snapshot", event.snapshotId());
                view.put("at", event.at().toString());
                return view;
            }
            case EXPIRED -> {
                view.put("reason", event.reason());
                view.put("at", event.at().toString());
                return view;
            }
            case TRANSITION -> { }
        }
        view.put("from", event.from().name().toLowerCase(Locale.ROOT));
        view.put("to", event.to().name().toLowerCase(Locale.ROOT));
        view.put("at", event.at().toString());
        if (event.reason() != null) {
            view.put("reason", event.reason());
        }
        return view;
    }
}
