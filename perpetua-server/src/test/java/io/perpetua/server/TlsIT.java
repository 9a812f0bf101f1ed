package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.client.Perpetua;
import io.perpetua.client.PerpetuaException;
import io.perpetua.client.Sandbox;
import io.perpetua.client.TerminalSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A daemon serving HTTPS with its own certificate, and the SDK talking to it. */
class TlsIT {

    private static Path certificates;
    private static TestCertificates.Pair served;
    private static Daemon daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        certificates = Files.createTempDirectory("perpetua-tls-");
        served = TestCertificates.selfSigned(certificates, "daemon", "ec");
        daemon = Daemon.startTls(served.certificate(), served.key(), "--idle-timeout", "1h", "--warm-pool", "0");
    }

    @AfterAll
    static void removeEverything() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        try (var files = Files.list(certificates)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(certificates);
    }

    @Test
    void theSdkRunsCommandsAndTerminalsOverHttps() throws Exception {
        String url = daemon.api().baseUri().toString();
        assertThat(url).startsWith("https://");
        try (Perpetua perpetua = Perpetua.connect(url, daemon.api().key(), Perpetua.trusting(served.certificate()))) {
            Sandbox sandbox = perpetua.sandboxes().create();
            try {
                assertThat(sandbox.exec("sh", "-c", "echo over tls").stdout()).isEqualTo("over tls\n");
                StringBuilder screen = new StringBuilder();
                try (TerminalSession terminal = sandbox.openTerminal(24, 80,
                        bytes -> screen.append(new String(bytes, StandardCharsets.UTF_8)))) {
                    terminal.write("exit 3\n".getBytes(StandardCharsets.UTF_8));
                    assertThat(terminal.awaitExit()).isEqualTo(3);
                }
            } finally {
                sandbox.delete();
            }
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsToldHowTo() {
        TestCertificates.Pair stranger = TestCertificates.selfSigned(certificates, "stranger", "ec");
        String url = daemon.api().baseUri().toString();
        try (Perpetua perpetua = Perpetua.connect(url, daemon.api().key(), Perpetua.trusting(stranger.certificate()))) {
            assertThatThrownBy(perpetua::health)
                    .isInstanceOf(PerpetuaException.class)
                    .hasMessageContaining("over TLS")
                    .hasMessageContaining(Perpetua.CA_CERT_VARIABLE)
                    .extracting(e -> ((PerpetuaException) e).code()).isEqualTo(PerpetuaException.UNREACHABLE);
        }
    }

    @Test
    void plainHttpIsRefused() throws Exception {
        URI plain = URI.create("http://127.0.0.1:" + daemon.port() + "/v1/sandboxes");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10))
                .header("Authorization", daemon.api().authorization()).GET().build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(daemon.api().get("/healthz").status()).isEqualTo(200);
    }
}
