package io.perpetua.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the daemon's API on a free loopback port: records every request and answers
 * what a test set up for its method and path (or path and raw query), else a 404 in the
 * daemon's format.
 */
final class StubDaemon implements AutoCloseable {

    /** A request as it arrived; header names are lower case. */
    record Request(String method, String path, String query, Map<String, String> headers, byte[] bytes) {

        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String contentType() {
            return header("Content-Type");
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private record Reply(int status, String contentType, byte[] body, boolean chunked) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, Queue<Reply>> turns = new ConcurrentHashMap<>();

    private StubDaemon(HttpServer server) {
        this.server = server;
    }

    static StubDaemon start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        StubDaemon daemon = new StubDaemon(server);
        server.createContext("/", daemon::handle);
        server.start();
        return daemon;
    }

    /** Answers {@code method target} with {@code status} and {@code json} (empty for no body); target may end in {@code ?query}. */
    StubDaemon answer(String method, String target, int status, String json) {
        replies.put(method + " " + target, new Reply(status, "application/json", bytes(json), false));
        return this;
    }

    /**
     * Answers {@code method path} (without a query) with each of {@code jsons} in turn, then with
     * the last one for good, as a daemon whose answer changes between calls.
     */
    StubDaemon answerInTurn(String method, String path, int status, String... jsons) {
        Queue<Reply> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < jsons.length - 1; i++) {
            queue.add(new Reply(status, "application/json", bytes(jsons[i]), false));
        }
        turns.put(method + " " + path, queue);
        return answer(method, path, status, jsons[jsons.length - 1]);
    }

    /** Answers {@code method target} with a stream of server-sent events, written as given. */
    StubDaemon answerEvents(String method, String target, String events) {
        replies.put(method + " " + target, new Reply(200, "text/event-stream; charset=utf-8", bytes(events), true));
        return this;
    }

    /** Answers {@code method target} with raw bytes, streamed (chunked) as the daemon streams downloads. */
    StubDaemon answerBytes(String method, String target, byte[] body) {
        replies.put(method + " " + target, new Reply(200, "application/octet-stream", body, true));
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** One server-sent event as the daemon writes it; {@code id} may be null. */
    static String event(String id, String name, String data) {
        StringBuilder text = new StringBuilder();
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        text.append("event: ").append(name).append('\n');
        for (String line : data.split("\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        return text.append('\n').toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            requests.add(new Request(method, path, query, headers, exchange.getRequestBody().readAllBytes()));
            Queue<Reply> queue = turns.get(method + " " + path);
            Reply reply = queue == null ? null : queue.poll();
            reply = reply != null ? reply : replies.get(method + " " + path + "?" + query);
            if (reply == null) {
                reply = replies.getOrDefault(method + " " + path, new Reply(404, "application/json",
                        bytes("{\"error\":{\"code\":\"not_found\",\"message\":\"no stub for " + method + " " + path + "\"}}"), false));
            }
            send(exchange, reply);
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        long length = reply.chunked() ? 0 : reply.body().length == 0 ? -1 : reply.body().length;
        exchange.sendResponseHeaders(reply.status(), length);
        if (length != -1) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}
