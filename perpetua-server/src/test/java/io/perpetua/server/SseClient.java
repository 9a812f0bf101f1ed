package io.perpetua.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads server-sent events the way a browser's EventSource does, and can hang up at any point. */
final class SseClient {

    /** One event: its id (or null), its name and its data lines joined with newlines. */
    record Event(String id, String name, String data) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;
    private final String authorization;

    /** A client of the daemon {@code api} talks to, with its key. */
    SseClient(Api api) {
        this.base = api.baseUri();
        this.authorization = api.authorization();
    }

    /** GETs {@code path} as an event stream, from {@code lastEventId} if not null, until {@code stop} says so or the stream ends. */
    List<Event> read(String path, String lastEventId, Predicate<List<Event>> stop) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), lastEventId, stop);
    }

    /** POSTs {@code json} to {@code path} asking for an event stream, and reads it to its end. */
    List<Event> post(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), null, events -> false);
    }

    private List<Event> send(HttpRequest.Builder request, String lastEventId, Predicate<List<Event>> stop) {
        request.header("Accept", "text/event-stream").header("Authorization", authorization).timeout(Duration.ofMinutes(2));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        List<Event> events = new ArrayList<>();
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new AssertionError("event stream answered " + response.statusCode() + ": "
                        + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String name = "message";
                List<String> data = new ArrayList<>();
                String line;
                while (!stop.test(events) && (line = lines.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Event(id, name, String.join("\n", data)));
                        }
                        id = null;
                        name = "message";
                        data.clear();
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.add(line.substring(6));
                    }
                }
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
