package io.perpetua.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in for the daemon's API on a free loopback port: records every request and answers canned JSON. */
final class StubDaemon implements AutoCloseable {

    record Request(String method, String path, String contentType, String body) {
    }

    private record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();

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

    /** Answers {@code method path} with {@code status} and {@code json} (empty for no body). */
    StubDaemon answer(String method, String path, int status, String json) {
        replies.put(method + " " + path, new Reply(status, json));
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

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(method, path, exchange.getRequestHeaders().getFirst("Content-Type"), body));
            Reply reply = replies.getOrDefault(method + " " + path, new Reply(404,
                    "{\"error\":{\"code\":\"not_found\",\"message\":\"no stub for " + method + " " + path + "\"}}"));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
