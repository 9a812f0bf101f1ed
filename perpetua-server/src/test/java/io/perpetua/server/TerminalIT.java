package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The terminal WebSocket against a real daemon: a shell on a pseudo-terminal made inside the sandbox. */
class TerminalIT {

    private static Daemon daemon;
    private static Api api;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "1h", "--warm-pool", "0");
        api = daemon.api();
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void shellRunsOnATerminalOfTheRequestedSizeFollowsResizesAndClosesWithItsExitCode() throws Exception {
        String id = api.create(Map.of());
        Screen screen = new Screen();
        WebSocket socket = connect(id, "?rows=30&cols=100", screen);
        socket.sendBinary(bytes("stty size; tty; echo ready-$((20+22))\n"), true).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> screen.text().contains("ready-42"));
        assertThat(screen.text()).contains("30 100", "/dev/pts/");
        for (String bad : List.of("null", "[]", "not json", "{\"type\":\"resize\",\"rows\":0}", "{\"type\":\"beep\"}")) {
            socket.sendText(bad, true).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> screen.errors().size() == 5);
        assertThat(screen.errors()).as("an error frame for each bad control message, and the terminal goes on")
                .allMatch(error -> error.contains("\"code\":\"invalid_input\""));
        socket.sendText("{\"type\":\"resize\",\"rows\":40,\"cols\":120}", true).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"input\",\"data\":\"stty size\\n\"}", true).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> screen.text().contains("40 120"));
        // A character whose bytes the shell prints apart reaches the client whole (the echoed command line holds only ASCII).
        socket.sendBinary(bytes("printf '\\342'; sleep 0.1; printf '\\202'; sleep 0.1; printf '\\254\\n'\n"), true).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> screen.text().contains("€"));
        socket.sendBinary(bytes("nohup sleep 1000 >/dev/null 2>&1 & exit 3\n"), true).get(10, TimeUnit.SECONDS);
        assertThat(screen.closed.get(30, TimeUnit.SECONDS)).isEqualTo("exit 3");

        // Nothing of the terminal holds a host descriptor: the sandbox hibernates and comes back.
        assertThat(api.post("/v1/sandboxes/" + id + "/hibernate", "").status()).isEqualTo(200);
        assertThat(api.sh(id, "ps -eo comm | grep -c '^sleep'")).isEqualTo("1\n");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void terminalOfAnUnknownSandboxOrOfABadSizeIsRefusedBeforeTheUpgrade() {
        Api.Response unknown = api.upgrade("/v1/sandboxes/sbaaaaaaaaaaaaaa/terminal");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("sandbox_not_found");

        String id = api.create(Map.of());
        Api.Response tooWide = api.upgrade("/v1/sandboxes/" + id + "/terminal?cols=5000");
        assertThat(tooWide.status()).isEqualTo(400);
        assertThat(tooWide.errorField()).isEqualTo("cols");
        api.delete("/v1/sandboxes/" + id);
    }

    private static WebSocket connect(String id, String query, Screen screen) throws Exception {
        URI uri = URI.create(api.baseUri().toString().replace("http://", "ws://") + "/v1/sandboxes/" + id + "/terminal" + query);
        return HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", api.authorization()).buildAsync(uri, screen).get(30, TimeUnit.SECONDS);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Collects what the terminal shows, as bytes (a frame may end inside a character), and how the socket closed. */
    private static final class Screen implements WebSocket.Listener {
        private final ByteArrayOutputStream shown = new ByteArrayOutputStream();
        private final List<String> errors = new ArrayList<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        synchronized String text() {
            return shown.toString(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            shown.writeBytes(bytes);
            socket.request(1);
            return null;
        }

        @Override
        public synchronized CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            errors.add(data.toString());
            socket.request(1);
            return null;
        }

        /** The text frames the daemon sent: errors about control messages. */
        synchronized List<String> errors() {
            return List.copyOf(errors);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            closed.complete(reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
