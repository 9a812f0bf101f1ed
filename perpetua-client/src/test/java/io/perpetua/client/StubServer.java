package io.perpetua.client;

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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the daemon on a free loopback port: records every request and answers what a
 * test set up for its method and path (or path and query), else a 404 in the daemon's format.
 */
final class StubServer implements AutoCloseable {

    /** A request as it arrived; header names are lower case. */
    record Request(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Object json() {
            return Json.parse(text());
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes the answer to a request. */
    @FunctionalInterface
    interface Responder {
        void respond(Request request, HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();

    private StubServer(HttpServer server) {
        this.server = server;
    }

    static StubServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        StubServer stub = new StubServer(server);
        server.setExecutor(stub.executor);
        server.createContext("/", stub::handle);
        server.start();
        return stub;
    }

    /** Answers {@code method target}, where target is a path, or a path and a raw query after {@code ?}. */
    StubServer on(String method, String target, Responder responder) {
        responders.put(method + " " + target, responder);
        return this;
    }

    StubServer json(String method, String target, int status, String json) {
        return on(method, target, json(status, json));
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one request but got " + requests);
        }
        return requests.getFirst();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    static Responder json(int status, String json) {
        return (request, exchange) -> send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static Responder bytes(byte[] body) {
        return (request, exchange) -> send(exchange, 200, "application/octet-stream", body);
    }

    /** Answers a whole {@code text/event-stream}, chunked, as the daemon does. */
    static Responder events(String text) {
        return (request, exchange) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        };
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

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            Request request = new Request(exchange.getRequestMethod(), path, query, headers,
                    exchange.getRequestBody().readAllBytes());
            requests.add(request);
            Responder responder = responders.get(request.method() + " " + path + "?" + query);
            if (responder == null) {
                responder = responders.getOrDefault(request.method() + " " + path, json(404,
                        "{\"error\":{\"code\":\"not_found\",\"message\":\"no stub for " + request.method() + " " + path + "\"}}"));
            }
            responder.respond(request, exchange);
        }
    }
}
