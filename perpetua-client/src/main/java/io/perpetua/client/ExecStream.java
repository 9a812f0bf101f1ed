package io.perpetua.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /exec} with {@code Accept: text/event-stream}: {@code stdout} and {@code stderr}
 * events as the command writes, then one {@code exit} event. A daemon that answers with one JSON
 * result instead is handled too, so callers need not know which kind they talk to.
 */
final class ExecStream {

    private ExecStream() {
    }

    static ExecExit run(Http http, String path, ExecCommand command, OutputListener listener) {
        HttpRequest request = Http.withJson(http.request(path).setHeader("Accept", "text/event-stream"), command.body())
                .build();
        HttpResponse<InputStream> response = http.open(request);
        String type = response.headers().firstValue("Content-Type").orElse("");
        try (InputStream body = response.body()) {
            if (type.startsWith("application/json")) {
                return whole(http, response, body, listener);
            }
            EventReader events = new EventReader(body);
            for (EventReader.Event event = events.next(); event != null; event = events.next()) {
                switch (event.name()) {
                    case "stdout" -> listener.onStdout(event.data());
                    case "stderr" -> listener.onStderr(event.data());
                    case "exit" -> {
                        return http.decode(response, event.data(), ExecExit::from);
                    }
                    default -> {
                        // Events this client does not know are for newer ones.
                    }
                }
            }
        } catch (IOException e) {
            throw http.connectionLost(request, e);
        }
        throw http.connectionLost(request, new IOException("the event stream ended before the command's exit event"));
    }

    private static ExecExit whole(Http http, HttpResponse<InputStream> response, InputStream body, OutputListener listener)
            throws IOException {
        ExecResult result = http.decode(response, new String(body.readAllBytes(), StandardCharsets.UTF_8),
                ExecResult::from);
        if (!result.stdout().isEmpty()) {
            listener.onStdout(result.stdout());
        }
        if (!result.stderr().isEmpty()) {
            listener.onStderr(result.stderr());
        }
        return new ExecExit(result.exitCode(), result.duration(), result.timedOut());
    }
}
