package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.client.ExecResult;
import io.perpetua.client.InvalidRequestException;
import io.perpetua.client.IssuedPreview;
import io.perpetua.client.LogEvent;
import io.perpetua.client.NetworkPolicy;
import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Process;
import io.perpetua.client.ProcessCommand;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxSpec;
import io.perpetua.client.ServerException;
import io.perpetua.client.TerminalSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java SDK against a real daemon: what the README's example does, end to end. */
class SdkIT {

    private static Daemon daemon;
    private static Perpetua perpetua;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "1h", "--warm-pool", "0");
        perpetua = Perpetua.connect(daemon.api().baseUri().toString(), daemon.api().key());
    }

    @AfterAll
    static void removeEverything() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void sandboxRunsCommandsKeepsFilesAndProcessesThroughHibernation() throws Exception {
        Sandbox sandbox = perpetua.sandboxes().create(SandboxSpec.builder().idleTimeout(Duration.ofSeconds(30)).build());
        ExecResult answer = sandbox.exec("python3", "-c", "print(6 * 7)");
        assertThat(answer.exitCode()).isZero();
        assertThat(answer.stdout()).isEqualTo("42\n");

        sandbox.files().write("/root/hello.txt", "hello".getBytes(StandardCharsets.UTF_8));
        // Each line ends in a euro sign whose three bytes are written apart.
        Process counter = sandbox.processes().start(ProcessCommand.of("sh", "-c",
                "for i in 1 2 3; do printf 'n%s \\342' $i; sleep 0.1; printf '\\202'; sleep 0.1; printf '\\254\\n'; done"));
        List<LogEvent> events = follow(counter);
        assertThat(events.stream().filter(e -> e.stream().equals("stdout")).map(LogEvent::data).collect(Collectors.joining()))
                .isEqualTo("n1 €\nn2 €\nn3 €\n");

        sandbox.hibernate();
        assertThat(sandbox.refresh().state()).isEqualTo("hibernated");
        assertThat(new String(sandbox.files().read("/root/hello.txt"), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(sandbox.refresh().state()).isEqualTo("running");
        assertThat(sandbox.processes().list()).extracting(Process::id).contains(counter.id());

        sandbox.delete();
        assertThatThrownBy(() -> perpetua.sandboxes().get(sandbox.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void terminalRunsAShellAndReportsItsExitStatus() throws Exception {
        Sandbox sandbox = perpetua.sandboxes().create();
        StringBuffer screen = new StringBuffer();
        try (TerminalSession terminal = sandbox.openTerminal(30, 100, bytes -> screen.append(new String(bytes, StandardCharsets.UTF_8)))) {
            terminal.write("stty size; exit 7\n".getBytes(StandardCharsets.UTF_8));
            assertThat(terminal.awaitExit()).isEqualTo(7);
        }
        assertThat(screen.toString()).contains("30 100");
        sandbox.delete();
    }

    @Test
    void networkPoliciesAndPreviewsAreSetListedAndRevoked() {
        Sandbox sandbox = perpetua.sandboxes().create(SandboxSpec.builder().network(NetworkPolicy.allowOnly("10.1.2.3")).diskMb(512).build());
        assertThat(sandbox.info().network()).isEqualTo(new NetworkPolicy(List.of("10.1.2.3/32"), List.of("0.0.0.0/0")));
        assertThat(sandbox.info().diskMb()).isEqualTo(512);
        assertThat(sandbox.setNetwork(NetworkPolicy.DEFAULT).network()).isEqualTo(NetworkPolicy.DEFAULT);

        IssuedPreview preview = sandbox.openPreview(8000);
        assertThat(preview.url()).contains("/preview/" + preview.token() + "/");
        sandbox.revokePreview(preview.id());
        assertThat(sandbox.previews()).singleElement().satisfies(listed -> {
            assertThat(listed.id()).isEqualTo(preview.id());
            assertThat(listed.revokedAt()).isNotNull();
        });
        assertThatThrownBy(() -> sandbox.revokePreview("pvzzzzzzzzzzzzzz")).isInstanceOf(NotFoundException.class);
        sandbox.delete();
    }

    @Test
    void badInputIsATypedErrorNamingTheField() {
        Sandbox sandbox = perpetua.sandboxes().create();
        assertThatThrownBy(() -> sandbox.processes().start(ProcessCommand.of("no-such-program")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cmd[0]"));
        assertThatThrownBy(() -> sandbox.files().read("/no/such/file"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("file_not_found"));
        assertThatThrownBy(() -> sandbox.openTerminal(5000, 80, screen -> { }))
                .as("refused before the WebSocket opens").isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("rows"));
        assertThatThrownBy(() -> sandbox.connect(7001))
                .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.code()).isEqualTo("port_unreachable"));
        sandbox.delete();
    }

    /** Every log event of the process, until it exits. */
    private static List<LogEvent> follow(Process process) throws Exception {
        List<LogEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        process.followLogs(0).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(LogEvent event) {
                events.add(event);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(60, TimeUnit.SECONDS);
        return events;
    }
}
