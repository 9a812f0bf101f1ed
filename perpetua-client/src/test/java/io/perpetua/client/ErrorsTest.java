package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    private StubServer daemon;
    private Perpetua perpetua;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void aRejectedInputIsAnInvalidRequestNamingTheField() {
        daemon.json("POST", "/v1/sandboxes/sb1/exec", 400, """
                {"error":{"code":"invalid_argument","message":"cmd[1] must be a string","field":"cmd[1]"}}""");

        assertThatThrownBy(() -> perpetua.sandboxes().handle("sb1").exec("ls"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_argument");
                    assertThat(e.field()).isEqualTo("cmd[1]");
                    assertThat(e.status()).isEqualTo(400);
                })
                .hasMessage("cmd[1] must be a string");
    }

    @Test
    void anUnknownSandboxIsNotFound() {
        assertThatThrownBy(() -> perpetua.sandboxes().get("sb1"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("not_found"))
                .hasMessage("no stub for GET /v1/sandboxes/sb1");
    }

    @Test
    void aStateThatForbidsTheOperationIsAConflict() {
        daemon.json("POST", "/v1/sandboxes/sb1/resume", 409, """
                {"error":{"code":"sandbox_failed","message":"sandbox sb1 failed: out of memory"}}""");

        assertThatThrownBy(() -> perpetua.sandboxes().handle("sb1").resume())
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_failed"))
                .hasMessage("sandbox sb1 failed: out of memory");
    }

    @Test
    void aFailureBelowTheApiIsAServerError() {
        daemon.json("POST", "/v1/sandboxes/sb1/hibernate", 500, """
                {"error":{"code":"runtime_failure","message":"runsc checkpoint failed"}}""");

        assertThatThrownBy(() -> perpetua.sandboxes().handle("sb1").hibernate())
                .isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.code()).isEqualTo("runtime_failure");
                    assertThat(e.status()).isEqualTo(500);
                });
    }

    @Test
    void anErrorWithoutTheDaemonsBodyStillNamesTheStatus() {
        daemon.on("GET", "/v1/sandboxes/sb1", (request, exchange) ->
                StubServer.send(exchange, 502, "text/html", "<html>Bad Gateway</html>".getBytes()));

        assertThatThrownBy(() -> perpetua.sandboxes().get("sb1"))
                .isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.code()).isEqualTo("http_502");
                    assertThat(e.status()).isEqualTo(502);
                })
                .hasMessage("the daemon answered GET /v1/sandboxes/sb1 with HTTP 502");
    }

    @Test
    void anAnswerThatIsNotWhatTheApiSendsIsABadResponse() {
        daemon.json("GET", "/v1/sandboxes/sb1", 200, "{\"id\":\"sb1\",\"project\":\"default\",\"state\":\"running\",\"createdAt\":12}");

        assertThatThrownBy(() -> perpetua.sandboxes().get("sb1"))
                .isInstanceOfSatisfying(PerpetuaException.class, e -> assertThat(e.code()).isEqualTo(PerpetuaException.BAD_RESPONSE))
                .hasMessageContaining("GET /v1/sandboxes/sb1")
                .hasMessageContaining("answer.createdAt must be a string but was 12");
    }

    @Test
    void aDaemonThatIsNotThereIsUnreachableAndTheMessageNamesItsUrl() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();

        try (Perpetua nowhere = Perpetua.connect(url, null)) {
            assertThatThrownBy(() -> nowhere.sandboxes().list())
                    .isInstanceOfSatisfying(PerpetuaException.class, e -> {
                        assertThat(e.code()).isEqualTo(PerpetuaException.UNREACHABLE);
                        assertThat(e.status()).isZero();
                    })
                    .hasMessage("cannot reach the daemon at " + url);
        }
    }

    @Test
    void aClosedClientRefusesFurtherCalls() {
        perpetua.close();

        assertThatThrownBy(() -> perpetua.sandboxes().list())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(daemon.url());
    }

    /** A port nothing listens on: one the OS just handed out and that was closed again. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
