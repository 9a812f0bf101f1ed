package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessesTest {

    private static final String PROCESSES = "/v1/sandboxes/sb1/processes";
    private static final String LOGS = PROCESSES + "/p1/logs";

    private StubServer daemon;
    private Perpetua perpetua;
    private Processes processes;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
        processes = perpetua.sandboxes().handle("sb1").processes();
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void startSendsTheCommandAndAnswersTheProcess() {
        daemon.json("POST", PROCESSES, 201, Fixtures.RUNNING);

        Process process = processes.start(ProcessCommand.builder("python3", "-m", "http.server")
                .cwd("/srv").env("PORT", "8000").keepAlive(true).name("web").build());

        assertThat(daemon.only().text()).isEqualTo("{\"cmd\":[\"python3\",\"-m\",\"http.server\"],\"cwd\":\"/srv\","
                + "\"env\":{\"PORT\":\"8000\"},\"keepAlive\":true,\"name\":\"web\"}");
        assertThat(process.id()).isEqualTo("p1");
        assertThat(process.info()).isEqualTo(new ProcessInfo("p1", "web", List.of("python3", "-m", "http.server"), 42,
                "running", null, null, true, Instant.parse("2026-01-02T03:04:05Z")));
    }

    @Test
    void aPlainCommandLineSendsOnlyTheCommand() {
        daemon.json("POST", PROCESSES, 201, Fixtures.RUNNING);

        processes.start("sleep", "60");

        assertThat(daemon.only().text()).isEqualTo("{\"cmd\":[\"sleep\",\"60\"]}");
    }

    @Test
    void listAndGetAnswerTheProcessesWithTheirState() {
        daemon.json("GET", PROCESSES, 200, "{\"processes\":[" + Fixtures.RUNNING + "," + Fixtures.EXITED + "]}")
                .json("GET", PROCESSES + "/p1", 200, Fixtures.EXITED);

        assertThat(processes.list()).extracting(process -> process.info().status(), process -> process.info().exitCode())
                .containsExactly(tuple("running", null), tuple("exited", 3));
        assertThat(processes.get("p1").info().running()).isFalse();
    }

    @Test
    void inputAndSignalsPostTheirBodies() {
        daemon.json("POST", PROCESSES + "/p1/stdin", 204, "").json("POST", PROCESSES + "/p1/signal", 204, "");
        Process process = processes.handle("p1");

        process.write("line\n");
        process.closeStdin();
        process.signal("TERM");

        assertThat(daemon.requests()).extracting(StubServer.Request::path, StubServer.Request::text).containsExactly(
                tuple(PROCESSES + "/p1/stdin", "{\"data\":\"line\\n\"}"),
                tuple(PROCESSES + "/p1/stdin", "{\"eof\":true}"),
                tuple(PROCESSES + "/p1/signal", "{\"signal\":\"TERM\"}"));
    }

    @Test
    void logsReadAPageFromAnOffset() {
        daemon.json("GET", LOGS, 200, "{\"chunks\":[{\"stream\":\"stdout\",\"data\":\"hi\\n\",\"next\":13},"
                + "{\"stream\":\"stderr\",\"data\":\"oops\",\"next\":17}],\"next\":17,\"process\":" + Fixtures.EXITED + "}");
        Process process = processes.handle("p1");

        LogPage page = process.logs(10);

        assertThat(daemon.only().rawQuery()).isEqualTo("from=10");
        assertThat(page.chunks()).containsExactly(new LogEvent("stdout", "hi\n", 13), new LogEvent("stderr", "oops", 17));
        assertThat(page.next()).isEqualTo(17);
        assertThat(process.info().exitCode()).isEqualTo(3);
    }

    @Test
    void waitForAsksUntilTheProcessNoLongerRuns() throws InterruptedException {
        AtomicInteger asked = new AtomicInteger();
        daemon.on("GET", PROCESSES + "/p1", (request, exchange) -> StubServer.json(200,
                asked.incrementAndGet() < 3 ? Fixtures.RUNNING : Fixtures.EXITED).respond(request, exchange));

        ProcessInfo ended = processes.handle("p1").waitFor();

        assertThat(ended.status()).isEqualTo("exited");
        assertThat(asked).hasValue(3);
    }

    @Test
    void followingDeliversEveryEventOnceAndInOrderAcrossDroppedConnections() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        daemon.on("GET", LOGS, (request, exchange) -> {
            switch (connections.incrementAndGet()) {
                // Two events and half of a third, then the connection breaks.
                case 1 -> dropAfter(exchange, StubServer.event("4", "stdout", "one\n") + StubServer.event("8", "stderr", "two\n")
                        + "id: 14\nevent: stdout\ndata: thr");
                // The rest of the third, then the stream just ends, without the exit event.
                case 2 -> StubServer.events(StubServer.event("14", "stdout", "three\n")).respond(request, exchange);
                default -> StubServer.events(StubServer.event("18", "stdout", "four") + StubServer.event("18", "exit", Fixtures.EXITED))
                        .respond(request, exchange);
            }
        });
        Process process = processes.handle("p1");
        Recorder recorder = new Recorder(Long.MAX_VALUE);

        process.followLogs(0).subscribe(recorder);

        recorder.done.get(10, TimeUnit.SECONDS);
        assertThat(recorder.events).containsExactly(new LogEvent("stdout", "one\n", 4), new LogEvent("stderr", "two\n", 8),
                new LogEvent("stdout", "three\n", 14), new LogEvent("stdout", "four", 18));
        assertThat(daemon.requests()).extracting(request -> request.header("Last-Event-ID"), request -> request.header("Accept"))
                .containsExactly(tuple("0", "text/event-stream"), tuple("8", "text/event-stream"), tuple("14", "text/event-stream"));
        assertThat(process.info().status()).isEqualTo("exited");
    }

    @Test
    void followingStartsFromTheOffsetGiven() throws Exception {
        daemon.on("GET", LOGS, StubServer.events(StubServer.event("30", "stdout", "late") + StubServer.event("30", "exit", Fixtures.EXITED)));
        Recorder recorder = new Recorder(Long.MAX_VALUE);

        processes.handle("p1").followLogs(26).subscribe(recorder);

        recorder.done.get(10, TimeUnit.SECONDS);
        assertThat(recorder.events).containsExactly(new LogEvent("stdout", "late", 30));
        assertThat(daemon.only().header("Last-Event-ID")).isEqualTo("26");
    }

    @Test
    void followingDeliversNoMoreThanTheSubscriberAskedFor() throws Exception {
        daemon.on("GET", LOGS, StubServer.events(StubServer.event("1", "stdout", "a") + StubServer.event("2", "stdout", "b")
                + StubServer.event("3", "stdout", "c") + StubServer.event("3", "exit", Fixtures.EXITED)));
        Recorder recorder = new Recorder(1);

        processes.handle("p1").followLogs(0).subscribe(recorder);

        assertThat(recorder.first.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.done).isNotDone();
        assertThat(recorder.events).hasSize(1);
        recorder.subscription.request(5);
        recorder.done.get(10, TimeUnit.SECONDS);
        assertThat(recorder.events).extracting(LogEvent::data).containsExactly("a", "b", "c");
    }

    @Test
    void followingAProcessThatIsGoneFailsWithNotFound() {
        Recorder recorder = new Recorder(Long.MAX_VALUE);

        processes.handle("p1").followLogs(0).subscribe(recorder);

        assertThat(recorder.done).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOf(NotFoundException.class);
        assertThat(daemon.requests()).hasSize(1);
    }

    @Test
    void closingTheClientEndsAFollowWithAnError() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        daemon.on("GET", LOGS, (request, exchange) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(StubServer.event("1", "stdout", "a").getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitQuietly(release);
        });
        Recorder recorder = new Recorder(Long.MAX_VALUE);
        processes.handle("p1").followLogs(0).subscribe(recorder);
        assertThat(recorder.first.await(10, TimeUnit.SECONDS)).isTrue();

        perpetua.close();

        assertThat(recorder.done).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOf(IllegalStateException.class)
                .withMessageContaining("client was closed");
        release.countDown();
    }

    /** Writes {@code text} into an answer announced as longer, then drops the connection. */
    private static void dropAfter(com.sun.net.httpserver.HttpExchange exchange, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, bytes.length + 1000);
        OutputStream out = exchange.getResponseBody();
        out.write(bytes);
        out.flush();
        // Closing the exchange with bytes missing makes the server close the connection, as a crash would.
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A subscriber that asks for {@code initial} events and records what it gets. */
    private static final class Recorder implements Flow.Subscriber<LogEvent> {

        final List<LogEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CountDownLatch first = new CountDownLatch(1);
        private final long initial;
        volatile Flow.Subscription subscription;

        Recorder(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(initial);
        }

        @Override
        public void onNext(LogEvent item) {
            events.add(item);
            first.countDown();
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
