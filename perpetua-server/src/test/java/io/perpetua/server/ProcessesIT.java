package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Background processes against a real daemon: input, signals, output streams, and ids that outlive sleep and restarts. */
class ProcessesIT {

    /** Characters of two, three and four bytes. */
    private static final String SPLIT_TEXT = "é€😀";
    /** Writes {@link #SPLIT_TEXT} to stdout, then to stderr, a byte per write with a pause after each: a read per byte. */
    private static final String BYTE_BY_BYTE = String.join("\n",
            "import os, time",
            "for fd in (1, 2):",
            "    for b in '\\u00e9\\u20ac\\U0001f600'.encode():",
            "        os.write(fd, bytes([b]))",
            "        time.sleep(0.05)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Daemon daemon;
    private static Api api;
    private static SseClient sse;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "2s", "--hibernate-after", "1h", "--tick-interval", "100ms", "--warm-pool", "0");
        api = daemon.api();
        sse = new SseClient(api);
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @Test
    void processTakesInputToItsEndAndReportsOutputAndExitCode() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        JsonNode process = start(id, Map.of("cmd", List.of("sh", "-c", "while read l; do echo got $l; echo oops >&2; done; exit 4"),
                "name", "echoer"));
        String pid = process.path("id").asString();
        assertThat(process.path("status").asString()).isEqualTo("running");
        assertThat(process.path("name").asString()).isEqualTo("echoer");
        assertThat(api.post(proc(id, pid) + "/stdin", Map.of("data", "one\ntwo\n", "eof", true)).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get(proc(id, pid)).json().path("status").asString().equals("exited"));
        assertThat(api.get(proc(id, pid)).json().path("exitCode").asInt()).isEqualTo(4);
        JsonNode logs = api.get(proc(id, pid) + "/logs").json();
        String stdout = logs.path("chunks").valueStream().filter(c -> c.path("stream").asString().equals("stdout"))
                .map(c -> c.path("data").asString()).collect(Collectors.joining());
        assertThat(stdout).isEqualTo("got one\ngot two\n");
        assertThat(logs.toString()).contains("oops");
        assertThat(api.post(proc(id, pid) + "/stdin", Map.of("data", "late")).errorCode()).isEqualTo("process_ended");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void signalEndsTheProcessWithEverythingItStarted() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        String pid = start(id, Map.of("cmd", List.of("sh", "-c", "sleep 1000 & sleep 1000"))).path("id").asString();
        assertThat(api.post(proc(id, pid) + "/signal", Map.of("signal", "TERM")).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get(proc(id, pid)).json().path("status").asString().equals("killed"));
        assertThat(api.get(proc(id, pid)).json().path("signal").asInt()).isEqualTo(15);
        // The signal reaches the whole group at once, but the sandbox's kernel may end the other sleep a moment after the first.
        await().atMost(Duration.ofSeconds(5)).until(() -> api.sh(id, "ps -eo comm | grep -c '^sleep' || true").equals("0\n"));
        assertThat(api.post(proc(id, pid) + "/signal", Map.of("signal", "NOPE")).errorField()).isEqualTo("signal");
        assertThat(api.get("/v1/sandboxes/" + id + "/processes/prnonexistent0000").errorCode()).isEqualTo("process_not_found");
        assertThat(api.post("/v1/sandboxes/" + id + "/processes", Map.of("cmd", List.of("no-such-program"))).errorField()).isEqualTo("cmd[0]");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void eventStreamClientThatHangsUpDuringStandbyResumesWithLastEventIdAndLosesNoLine() {
        String id = api.create(Map.of("idleTimeoutSeconds", 2));
        String pid = start(id, Map.of("cmd", List.of("sh", "-c", "for i in $(seq 1 60); do echo line $i; sleep 0.1; done"))).path("id").asString();
        List<SseClient.Event> first = sse.read(proc(id, pid) + "/logs", null, events -> events.size() >= 5);
        String lastId = first.getLast().id();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(id).equals("standby"));
        List<SseClient.Event> rest = sse.read(proc(id, pid) + "/logs", lastId, events -> false);
        assertThat(rest.getLast().name()).isEqualTo("exit");
        List<SseClient.Event> all = new ArrayList<>(first);
        all.addAll(rest);
        String text = all.stream().filter(e -> e.name().equals("stdout")).map(SseClient.Event::data).collect(Collectors.joining("\n"));
        List<String> lines = text.lines().filter(l -> !l.isEmpty()).toList();
        assertThat(lines).containsExactlyElementsOf(IntStream.rangeClosed(1, 60).mapToObj(i -> "line " + i).toList());
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void processStartedBeforeHibernationAndARestartIsStillThereWithTheSameId() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        String pid = start(id, Map.of("cmd", List.of("sleep", "1000"), "name", "sleeper")).path("id").asString();
        api.post("/v1/sandboxes/" + id + "/hibernate", "");
        assertThat(api.get("/v1/sandboxes/" + id + "/processes").json().path("processes").findValuesAsString("id")).containsExactly(pid);
        daemon.kill9();
        daemon.restart();
        JsonNode process = api.get(proc(id, pid)).json();
        assertThat(process.path("status").asString()).isEqualTo("running");
        assertThat(process.path("name").asString()).isEqualTo("sleeper");
        assertThat(api.sh(id, "kill -0 " + process.path("pid").asLong() + " && echo alive")).isEqualTo("alive\n");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void keepAliveProcessKeepsTheSandboxAwakeUntilItExitsAndOthersDoNot() {
        String kept = api.create(Map.of("idleTimeoutSeconds", 2));
        String plain = api.create(Map.of("idleTimeoutSeconds", 2));
        String pid = start(kept, Map.of("cmd", List.of("sleep", "6"), "keepAlive", true)).path("id").asString();
        start(plain, Map.of("cmd", List.of("sleep", "6")));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.state(plain).equals("standby"));
        assertThat(api.state(kept)).isEqualTo("running");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.state(kept).equals("standby"));
        assertThat(api.get(proc(kept, pid)).json().path("status").asString()).isEqualTo("exited");
        api.delete("/v1/sandboxes/" + kept);
        api.delete("/v1/sandboxes/" + plain);
    }

    @Test
    void execStreamsOutputAsEventsAndEndsWithTheExitCode() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        List<SseClient.Event> events = sse.post("/v1/sandboxes/" + id + "/exec",
                "{\"cmd\": [\"sh\", \"-c\", \"echo one; echo two >&2; exit 3\"]}");
        assertThat(events).extracting(SseClient.Event::name).contains("stdout", "stderr").endsWith("exit");
        assertThat(events.getLast().data()).contains("\"exitCode\":3");
        api.delete("/v1/sandboxes/" + id);
    }

    @Test
    void charactersWrittenOneByteAtATimeArriveWholeThroughExecItsStreamTheLogsAndTheirFollowers() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        List<String> cmd = List.of("python3", "-c", BYTE_BY_BYTE);

        JsonNode exec = api.exec(id, cmd.toArray(String[]::new));
        assertThat(exec.path("stdout").asString()).isEqualTo(SPLIT_TEXT);
        assertThat(exec.path("stderr").asString()).isEqualTo(SPLIT_TEXT);

        List<SseClient.Event> streamed = sse.post("/v1/sandboxes/" + id + "/exec", JSON.writeValueAsString(Map.of("cmd", cmd)));
        assertThat(joined(streamed, "stdout")).isEqualTo(SPLIT_TEXT);
        assertThat(joined(streamed, "stderr")).isEqualTo(SPLIT_TEXT);

        String pid = start(id, Map.of("cmd", cmd)).path("id").asString();
        List<SseClient.Event> followed = sse.read(proc(id, pid) + "/logs", null, events -> false);
        assertThat(followed.getLast().name()).isEqualTo("exit");
        assertThat(joined(followed, "stdout")).isEqualTo(SPLIT_TEXT);
        assertThat(joined(followed, "stderr")).isEqualTo(SPLIT_TEXT);

        JsonNode logs = api.get(proc(id, pid) + "/logs").json();
        assertThat(logs.path("chunks").valueStream().filter(c -> c.path("stream").asString().equals("stdout"))
                .map(c -> c.path("data").asString()).collect(Collectors.joining())).isEqualTo(SPLIT_TEXT);
        api.delete("/v1/sandboxes/" + id);
    }

    /** What one stream of the events says, all its pieces joined. */
    private static String joined(List<SseClient.Event> events, String stream) {
        return events.stream().filter(e -> e.name().equals(stream)).map(SseClient.Event::data).collect(Collectors.joining());
    }

    private static JsonNode start(String id, Map<String, Object> body) {
        Api.Response started = api.post("/v1/sandboxes/" + id + "/processes", body);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.json();
    }

    private static String proc(String id, String processId) {
        return "/v1/sandboxes/" + id + "/processes/" + processId;
    }
}
