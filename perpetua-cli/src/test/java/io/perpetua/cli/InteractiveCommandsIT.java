package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.client.Perpetua;
import io.perpetua.client.ProcessCommand;
import io.perpetua.client.Sandbox;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The commands that hold a session open, shell and port-forward, against a real daemon and sandbox. */
class InteractiveCommandsIT {

    private static LiveDaemon daemon;
    private static Perpetua perpetua;
    private static Sandbox sandbox;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
        perpetua = Perpetua.connect(daemon.url(), LiveDaemon.KEY);
        sandbox = perpetua.sandboxes().create();
    }

    @AfterAll
    static void removeEverything() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void shellRunsWhatIsPipedInAndExitsWithTheStatusOfItsLastCommand() {
        CliRun run = CliRun.of(daemon.env(), "echo made-$((6 * 7))-here\n(exit 5)\n", "sandbox", "shell", sandbox.id());

        assertThat(run.out()).as("the shell's output, not the echo of its input").contains("made-42-here");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
    }

    @Test
    void portForwardCarriesConnectionsToAServerInTheSandbox() throws Exception {
        sandbox.files().write("/root/site/index.html", "<h1>forwarded</h1>".getBytes(StandardCharsets.UTF_8));
        sandbox.processes().start(ProcessCommand.of("python3", "-m", "http.server", "8000", "--directory", "/root/site"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (PortForwarder forwarder = new PortForwarder(sandbox, InetAddress.getLoopbackAddress(), 0, 8000, log::add)) {
            Thread.ofVirtual().start(forwarder::serve);
            URI local = URI.create("http://127.0.0.1:" + forwarder.localPort() + "/");
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> page = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> http.send(HttpRequest.newBuilder(local).build(), HttpResponse.BodyHandlers.ofString()),
                                response -> response.statusCode() == 200);
                assertThat(page.body()).isEqualTo("<h1>forwarded</h1>");
            }
        }
        assertThat(log).anyMatch(line -> line.startsWith("handling a connection"));
    }

    @Test
    void portForwardRefusesPortsThatAreNotPorts() {
        CliRun run = CliRun.of(daemon.env(), "", "sandbox", "port-forward", sandbox.id(), "80:99999");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("the port in the sandbox must be a number from 1 to 65535 but was '99999'");
    }
}
