package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExecTest {

    private static final String EXEC = "/v1/sandboxes/sb1/exec";

    private StubServer daemon;
    private Perpetua perpetua;
    private Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
        sandbox = perpetua.sandboxes().handle("sb1");
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void execSendsTheCommandAndParsesTheResult() {
        daemon.json("POST", EXEC, 200, """
                {"exitCode":3,"stdout":"out\\n","stderr":"warn \\"x\\"","durationMs":1234,"timedOut":false,"truncated":true}""");

        ExecResult result = sandbox.exec(ExecCommand.builder("sh", "-c", "echo out; exit 3")
                .cwd("/work").env("A", "1").stdin("input\n").timeout(Duration.ofSeconds(30)).build());

        assertThat(result).isEqualTo(new ExecResult(3, "out\n", "warn \"x\"", Duration.ofMillis(1234), false, true));
        assertThat(daemon.only().text()).isEqualTo("{\"cmd\":[\"sh\",\"-c\",\"echo out; exit 3\"],\"cwd\":\"/work\","
                + "\"env\":{\"A\":\"1\"},\"stdin\":\"input\\n\",\"timeoutSeconds\":30}");
    }

    @Test
    void execOfACommandLineSendsOnlyTheCommand() {
        daemon.json("POST", EXEC, 200, "{\"exitCode\":0,\"stdout\":\"\",\"stderr\":\"\",\"durationMs\":1,\"timedOut\":false,\"truncated\":false}");

        sandbox.exec("python3", "-c", "print(6*7)");

        assertThat(daemon.only().text()).isEqualTo("{\"cmd\":[\"python3\",\"-c\",\"print(6*7)\"]}");
    }

    @Test
    void streamingExecAsksForEventsAndPassesTheOutputOnInOrder() {
        daemon.on("POST", EXEC, StubServer.events(StubServer.event(null, "stdout", "one\n")
                + ": keep-alive\n\n"
                + StubServer.event(null, "stderr", "two")
                + StubServer.event(null, "stdout", "three\nfour")
                + StubServer.event(null, "exit", "{\"exitCode\":124,\"durationMs\":5003,\"timedOut\":true}")));
        List<String> output = new CopyOnWriteArrayList<>();

        ExecExit exit = sandbox.execStreaming(ExecCommand.of("make"),
                OutputListener.of(text -> output.add("out:" + text), text -> output.add("err:" + text)));

        assertThat(output).containsExactly("out:one\n", "err:two", "out:three\nfour");
        assertThat(exit).isEqualTo(new ExecExit(124, Duration.ofMillis(5003), true));
        assertThat(daemon.only().header("Accept")).isEqualTo("text/event-stream");
        assertThat(daemon.only().text()).isEqualTo("{\"cmd\":[\"make\"]}");
    }

    @Test
    void streamingExecFailsWhenTheStreamEndsBeforeTheExitEvent() {
        daemon.on("POST", EXEC, StubServer.events(StubServer.event(null, "stdout", "partial")));

        assertThatThrownBy(() -> sandbox.execStreaming(ExecCommand.of("make"), OutputListener.of(text -> { }, text -> { })))
                .isInstanceOfSatisfying(PerpetuaException.class,
                        e -> assertThat(e.code()).isEqualTo(PerpetuaException.CONNECTION_LOST))
                .hasMessageContaining("POST " + EXEC).hasMessageContaining("before the command's exit event");
    }

    @Test
    void streamingExecAlsoTakesOneWholeJsonResult() {
        daemon.json("POST", EXEC, 200, "{\"exitCode\":1,\"stdout\":\"o\",\"stderr\":\"e\",\"durationMs\":7,\"timedOut\":false,\"truncated\":false}");
        List<String> output = new CopyOnWriteArrayList<>();

        ExecExit exit = sandbox.execStreaming(ExecCommand.of("false"), OutputListener.of(output::add, output::add));

        assertThat(output).containsExactly("o", "e");
        assertThat(exit.exitCode()).isEqualTo(1);
    }
}
