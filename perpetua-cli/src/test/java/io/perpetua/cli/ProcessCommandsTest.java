package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessCommandsTest {

    private static final String PROCESSES = "/v1/sandboxes/sb1/processes";
    private static final String RUNNING = """
            {"id":"p1","name":"web","cmd":["python3","-m","http.server"],"pid":42,"status":"running",
             "exitCode":null,"signal":null,"keepAlive":true,"startedAt":"2026-01-02T03:04:05Z"}""";
    private static final String EXITED = """
            {"id":"p2","name":null,"cmd":["sh","-c","echo it's done"],"pid":43,"status":"exited",
             "exitCode":3,"signal":null,"keepAlive":false,"startedAt":"2026-01-02T03:04:06Z"}""";
    private static final String KILLED = """
            {"id":"p3","name":"loop","cmd":["sleep","600"],"pid":44,"status":"killed",
             "exitCode":null,"signal":9,"keepAlive":false,"startedAt":"2026-01-02T03:04:07Z"}""";

    private StubDaemon daemon;

    @BeforeEach
    void startDaemon() throws IOException {
        daemon = StubDaemon.start();
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
    }

    @Test
    void startSendsTheCommandAndPrintsTheProcessId() {
        daemon.answer("POST", PROCESSES, 201, RUNNING);

        CliRun run = perpetua("sandbox", "start", "sb1", "--keep-alive", "--name", "web", "--", "python3", "-m", "http.server");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("p1\n");
        assertThat(daemon.requests().getFirst().body())
                .isEqualTo("{\"cmd\":[\"python3\",\"-m\",\"http.server\"],\"keepAlive\":true,\"name\":\"web\"}");
    }

    @Test
    void startWithoutOptionsSendsOnlyTheCommand() {
        daemon.answer("POST", PROCESSES, 201, RUNNING);

        perpetua("sandbox", "start", "sb1", "--", "sleep", "60");

        assertThat(daemon.requests().getFirst().body()).isEqualTo("{\"cmd\":[\"sleep\",\"60\"]}");
    }

    @Test
    void startWithJsonOutputPrintsTheProcess() {
        daemon.answer("POST", PROCESSES, 201, RUNNING);

        CliRun run = perpetua("sandbox", "start", "sb1", "--output", "json", "--", "python3", "-m", "http.server");

        assertThat(JsonText.compact(run.out())).isEqualTo(JsonText.compact(RUNNING));
    }

    @Test
    void psPrintsATableOfTheProcesses() {
        daemon.answer("GET", PROCESSES, 200, "{\"processes\":[" + RUNNING + "," + EXITED + "," + KILLED + "]}");

        CliRun run = perpetua("sandbox", "ps", "sb1");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "ID  PID  STATUS   EXIT     NAME  CMD",
                "p1  42   running  -        web   python3 -m http.server",
                "p2  43   exited   3        -     sh -c 'echo it'\\''s done'",
                "p3  44   killed   SIGKILL  loop  sleep 600");
    }

    @Test
    void psWithJsonOutputPrintsTheProcesses() {
        daemon.answer("GET", PROCESSES, 200, "{\"processes\":[" + RUNNING + "," + KILLED + "]}");

        CliRun run = perpetua("sandbox", "ps", "sb1", "--output", "json");

        assertThat(JsonText.compact(run.out())).isEqualTo(JsonText.compact("[" + RUNNING + "," + KILLED + "]"));
    }

    @Test
    void logsPrintsEachStreamToItsOwnAndReadsEveryPage() {
        daemon.answer("GET", PROCESSES + "/p2/logs?from=0", 200, "{\"chunks\":[{\"stream\":\"stdout\",\"data\":\"one\\n\",\"next\":4},"
                        + "{\"stream\":\"stderr\",\"data\":\"oops\\n\",\"next\":9}],\"next\":9,\"process\":" + EXITED + "}")
                .answer("GET", PROCESSES + "/p2/logs?from=9", 200, "{\"chunks\":[{\"stream\":\"stdout\",\"data\":\"two\",\"next\":12}],"
                        + "\"next\":12,\"process\":" + EXITED + "}")
                .answer("GET", PROCESSES + "/p2/logs?from=12", 200, "{\"chunks\":[],\"next\":12,\"process\":" + EXITED + "}");

        CliRun run = perpetua("sandbox", "logs", "sb1", "p2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("one\ntwo");
        assertThat(run.err()).isEqualTo("oops\n");
        assertThat(daemon.requests()).extracting(Request::query).containsExactly("from=0", "from=9", "from=12");
    }

    @Test
    void logsWithJsonOutputPrintsTheChunksAsOneAnswer() {
        daemon.answer("GET", PROCESSES + "/p2/logs?from=0", 200, "{\"chunks\":[{\"stream\":\"stdout\",\"data\":\"one\\n\",\"next\":4}],"
                        + "\"next\":4,\"process\":" + EXITED + "}")
                .answer("GET", PROCESSES + "/p2/logs?from=4", 200, "{\"chunks\":[],\"next\":4,\"process\":" + EXITED + "}");

        CliRun run = perpetua("sandbox", "logs", "--output", "json", "sb1", "p2");

        assertThat(JsonText.compact(run.out())).isEqualTo(JsonText.compact(
                "{\"chunks\":[{\"stream\":\"stdout\",\"data\":\"one\\n\",\"next\":4}],\"next\":4,\"process\":" + EXITED + "}"));
    }

    @Test
    void logsFollowPrintsTheOutputAsItComesUntilTheProcessExits() {
        daemon.answerEvents("GET", PROCESSES + "/p1/logs", StubDaemon.event("4", "stdout", "one\n")
                + StubDaemon.event("9", "stderr", "oops\n")
                + ": keep-alive\n\n"
                + StubDaemon.event("12", "stdout", "two")
                + StubDaemon.event("17", "truncated", "")
                + StubDaemon.event("17", "exit", EXITED));

        CliRun run = perpetua("sandbox", "logs", "sb1", "p1", "-f");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("one\ntwo");
        assertThat(run.err()).isEqualTo("oops\nperpetua: the process wrote more than the sandbox keeps (16 MiB); the rest was dropped\n");
        Request request = daemon.requests().getFirst();
        assertThat(request.header("Accept")).isEqualTo("text/event-stream");
        assertThat(request.header("Last-Event-ID")).isEqualTo("0");
    }

    @Test
    void logsFollowWithJsonOutputPrintsOneChunkPerLine() {
        daemon.answerEvents("GET", PROCESSES + "/p1/logs", StubDaemon.event("4", "stdout", "one\n")
                + StubDaemon.event("9", "stderr", "oops")
                + StubDaemon.event("9", "exit", EXITED));

        CliRun run = perpetua("sandbox", "logs", "sb1", "p1", "--follow", "--output", "json");

        assertThat(run.out().lines()).containsExactly(
                "{\"stream\":\"stdout\",\"data\":\"one\\n\",\"next\":4}",
                "{\"stream\":\"stderr\",\"data\":\"oops\",\"next\":9}");
    }

    @Test
    void logsOfAnUnknownProcessFailsWithExitCode1() {
        CliRun run = perpetua("sandbox", "logs", "sb1", "nope", "-f");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: no stub for GET " + PROCESSES + "/nope/logs (not_found)\n");
    }

    @Test
    void killSendsTermUnlessTold() {
        daemon.answer("POST", PROCESSES + "/p1/signal", 204, "");

        CliRun term = perpetua("sandbox", "kill", "sb1", "p1");
        CliRun kill = perpetua("sandbox", "kill", "sb1", "p1", "--signal", "KILL");

        assertThat(term.exitCode()).isZero();
        assertThat(kill.exitCode()).isZero();
        assertThat(term.out() + kill.out()).isEmpty();
        assertThat(daemon.requests()).extracting(Request::path, Request::body).containsExactly(
                tuple(PROCESSES + "/p1/signal", "{\"signal\":\"TERM\"}"),
                tuple(PROCESSES + "/p1/signal", "{\"signal\":\"KILL\"}"));
    }

    @Test
    void killOfAProcessThatIsGoneFailsWithExitCode1() {
        CliRun run = perpetua("sandbox", "kill", "sb1", "p9");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: no stub for POST " + PROCESSES + "/p9/signal (not_found)\n");
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }
}
