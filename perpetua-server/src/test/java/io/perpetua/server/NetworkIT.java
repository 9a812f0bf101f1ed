package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PortConnection;
import io.perpetua.client.Sandbox;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Sandbox networks through the daemon: the port proxy (HTTP and WebSocket), also to a sleeping sandbox, TCP tunnels and preview URLs. */
class NetworkIT {

    /** An HTTP/1.1 server: with keep-alive the proxy closes idle connections first, so none lingers in the sandbox. */
    private static final String WEB = "import http.server as h\n"
            + "h.SimpleHTTPRequestHandler.protocol_version = 'HTTP/1.1'\n"
            + "h.ThreadingHTTPServer(('0.0.0.0', 8000), lambda *a: h.SimpleHTTPRequestHandler(*a, directory='/root/site')).serve_forever()\n";

    /** A WebSocket echo server, text frames only: enough to prove the proxy carries WebSockets. */
    private static final String ECHO = """
            import socket, base64, hashlib, threading
            def handle(c):
                data = b''
                while b'\\r\\n\\r\\n' not in data:
                    data += c.recv(1024)
                key = [l.split(b': ')[1] for l in data.split(b'\\r\\n') if l.lower().startswith(b'sec-websocket-key')][0]
                accept = base64.b64encode(hashlib.sha1(key + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest())
                c.sendall(b'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + b'\\r\\n\\r\\n')
                while True:
                    head = c.recv(2)
                    if len(head) < 2:
                        return
                    op, n = head[0] & 0x0f, head[1] & 0x7f
                    if n == 126:
                        n = int.from_bytes(c.recv(2), 'big')
                    mask = c.recv(4)
                    payload = b''
                    while len(payload) < n:
                        payload += c.recv(n - len(payload))
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                    if op == 8:
                        c.close()
                        return
                    reply = b'echo: ' + payload
                    c.sendall(bytes([0x81, len(reply)]) + reply)
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('0.0.0.0', 8765))
            s.listen()
            while True:
                c, _ = s.accept()
                threading.Thread(target=handle, args=(c,), daemon=True).start()
            """;

    /** A TCP echo server: a protocol the HTTP proxy cannot carry. */
    private static final String TCP_ECHO = """
            import socketserver
            class Echo(socketserver.StreamRequestHandler):
                def handle(self):
                    for line in self.rfile:
                        self.wfile.write(line)
            socketserver.ThreadingTCPServer.allow_reuse_address = True
            socketserver.ThreadingTCPServer(('0.0.0.0', 7000), Echo).serve_forever()
            """;

    private static Daemon daemon;
    private static Api api;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--network", "sandbox", "--subnet", Daemon.TEST_SUBNET, "--idle-timeout", "2s",
                "--hibernate-after", "1h", "--tick-interval", "100ms", "--warm-pool", "0");
        api = daemon.api();
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void serverInTheSandboxIsReachedThroughThePortProxyAlsoAfterItFellAsleepOrHibernated() {
        String id = api.create(Map.of("idleTimeoutSeconds", 2));
        upload(id, "/root/site/hello.txt", "hello from the sandbox");
        upload(id, "/root/web.py", WEB);
        start(id, List.of("python3", "/root/web.py"));
        String url = "/v1/sandboxes/" + id + "/ports/8000/hello.txt";
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get(url).status() == 200);
        assertThat(api.get(url).body()).isEqualTo("hello from the sandbox");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        assertThat(api.get(url).body()).as("woken by the request").isEqualTo("hello from the sandbox");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> api.post("/v1/sandboxes/" + id + "/hibernate", "").status() == 200);
        assertThat(api.state(id)).isEqualTo("hibernated");
        assertThat(api.get(url).body()).as("restored by the request").isEqualTo("hello from the sandbox");
        assertThat(api.get("/v1/sandboxes/" + id + "/ports/8001/").errorCode()).isEqualTo("port_unreachable");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void webSocketEchoesThroughTheProxy() throws Exception {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        upload(id, "/root/echo.py", ECHO);
        start(id, List.of("python3", "/root/echo.py"));
        URI uri = URI.create(api.baseUri().toString().replace("http://", "ws://") + "/v1/sandboxes/" + id + "/ports/8765/ws");
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", api.authorization()).buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS), s -> s != null);
        socket.sendText("ping", true).get(10, TimeUnit.SECONDS);
        assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo("echo: ping");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void previewUrlServesTheSamePortAndAForgedTokenFindsNothing() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        upload(id, "/root/site/index.html", "<h1>preview</h1>");
        upload(id, "/root/web.py", WEB);
        start(id, List.of("python3", "/root/web.py"));
        Api.Response preview = api.post("/v1/sandboxes/" + id + "/previews", Map.of("port", 8000));
        assertThat(preview.status()).isEqualTo(201);
        String path = URI.create(preview.json().path("url").asString()).getPath();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get(path).status() == 200);
        assertThat(api.get(path).body()).isEqualTo("<h1>preview</h1>");
        String token = preview.json().path("token").asString();
        String forged = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        assertThat(api.get("/preview/" + forged + "/").errorCode()).isEqualTo("preview_not_found");
        assertThat(api.post("/v1/sandboxes/" + id + "/previews", Map.of("port", 70000)).errorField()).isEqualTo("port");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void aRevokedPreviewOpensNothingAnyMoreAlsoAfterARestartAndDeletingTheSandboxRevokesTheRest() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        upload(id, "/root/site/index.html", "<h1>kept</h1>");
        upload(id, "/root/web.py", WEB);
        start(id, List.of("python3", "/root/web.py"));
        JsonNode revoked = api.post("/v1/sandboxes/" + id + "/previews", Map.of("port", 8000)).json();
        JsonNode kept = api.post("/v1/sandboxes/" + id + "/previews", Map.of("port", 8000)).json();
        String keptPath = "/preview/" + kept.path("token").asString() + "/";
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get(keptPath).status() == 200);

        assertThat(api.delete("/v1/sandboxes/" + id + "/previews/" + revoked.path("id").asString()).status()).isEqualTo(204);

        assertThat(api.get("/preview/" + revoked.path("token").asString() + "/").errorCode()).isEqualTo("preview_not_found");
        JsonNode listed = api.get("/v1/sandboxes/" + id + "/previews").json().path("previews");
        assertThat(listed.findValuesAsString("id")).containsExactly(revoked.path("id").asString(), kept.path("id").asString());
        assertThat(listed.get(0).path("revokedAt").isNull()).isFalse();
        assertThat(listed.toString()).doesNotContain(kept.path("token").asString());
        assertThat(api.delete("/v1/sandboxes/" + id + "/previews/pvzzzzzzzzzzzzzz").errorCode()).isEqualTo("preview_not_found");
        daemon.restart();
        assertThat(api.get("/preview/" + revoked.path("token").asString() + "/").status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get(keptPath).status() == 200);

        api.delete("/v1/sandboxes/" + id);
        assertThat(api.get(keptPath).errorCode()).isEqualTo("preview_not_found");
    }

    @Test
    void tcpTunnelWakesTheSandboxCarriesRawBytesAndStaysOpenWhileQuiet() throws Exception {
        String id = api.create(Map.of("idleTimeoutSeconds", 2));
        upload(id, "/root/echo.py", TCP_ECHO);
        start(id, List.of("python3", "/root/echo.py"));
        try (Perpetua perpetua = Perpetua.connect(api.baseUri().toString(), api.key())) {
            Sandbox sandbox = perpetua.sandboxes().handle(id);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> echo(sandbox, "ready").equals("ready"));
            await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));

            try (PortConnection connection = sandbox.connect(7000)) {
                BufferedReader replies = new BufferedReader(new InputStreamReader(connection.input(), StandardCharsets.UTF_8));
                connection.output().write("woken\n".getBytes(StandardCharsets.UTF_8));
                assertThat(replies.readLine()).isEqualTo("woken");
                // Longer than the sandbox's idle timeout and than the WebSocket's own idle timeout (30 s).
                Thread.sleep(Duration.ofSeconds(35));
                assertThat(api.state(id)).as("an open tunnel keeps its sandbox awake").isEqualTo("running");
                connection.output().write("still here\n".getBytes(StandardCharsets.UTF_8));
                assertThat(replies.readLine()).isEqualTo("still here");
            }
        }
        api.delete("/v1/sandboxes/" + id);
    }

    /** One line there and back through a new tunnel. */
    private static String echo(Sandbox sandbox, String line) throws IOException {
        try (PortConnection connection = sandbox.connect(7000)) {
            connection.output().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(connection.input(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void networkPolicyIsSetAtCreateChangedWithoutWakingTheSandboxAndKeptAcrossARestart() {
        Api.Response created = api.post("/v1/sandboxes", Map.of("idleTimeoutSeconds", 2,
                "network", Map.of("allowOut", List.of("10.9.8.7"), "denyOut", List.of("0.0.0.0/0"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asString();
        assertThat(created.json().path("network").path("allowOut").toString()).isEqualTo("[\"10.9.8.7/32\"]");
        String suffix = id.substring(id.length() - 13);
        assertThat(hostRules()).as("enforced on the host").contains("PERPETUA-SB-" + suffix + " -d 10.9.8.7/32 -j ACCEPT");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));

        Api.Response changed = api.send("PUT", "/v1/sandboxes/" + id + "/network", "{\"denyOut\": [\"198.51.100.0/24\"]}");

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().path("state").asString()).as("changing the policy does not wake it").isEqualTo("standby");
        assertThat(hostRules()).contains("PERPETUA-SB-" + suffix + " -d 198.51.100.0/24").doesNotContain("10.9.8.7/32");
        daemon.restart();
        assertThat(api.get("/v1/sandboxes/" + id).json().path("network").path("denyOut").toString()).isEqualTo("[\"198.51.100.0/24\"]");
        assertThat(api.send("PUT", "/v1/sandboxes/" + id + "/network", "{}").json().path("network").path("denyOut")).isEmpty();
        assertThat(hostRules()).doesNotContain("PERPETUA-SB-" + suffix);
        api.delete("/v1/sandboxes/" + id);
    }

    private static String hostRules() {
        try {
            Process iptables = new ProcessBuilder("iptables", "-w", "-S").redirectErrorStream(true).start();
            String rules = new String(iptables.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            iptables.waitFor();
            return rules;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void upload(String id, String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Api.Response response = api.put("/v1/sandboxes/" + id + "/files?path=" + path, () -> new ByteArrayInputStream(bytes), bytes.length);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static void start(String id, List<String> cmd) {
        Api.Response started = api.post("/v1/sandboxes/" + id + "/processes", Map.of("cmd", cmd));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
    }
}
