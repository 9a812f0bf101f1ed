package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TemplatesTest {

    private static final String BUILDING = """
            {"name":"web","id":"tpq3k7x2mfa4z5hd","state":"building","from":"default","image":null,
             "setup":["mkdir -p /srv","echo hi > /srv/index.html"],"envNames":["GREETING"],
             "start":["cd /srv && exec python3 -m http.server 8000"],"ready":"curl -fs http://127.0.0.1:8000/",
             "snapshotId":null,"warmCopies":0,"createdAt":"2026-01-02T03:04:05.678Z","stateChangedAt":"2026-01-02T03:04:05.678Z",
             "failureReason":null,"buildLog":""}""";
    private static final String READY = BUILDING.replace("\"building\"", "\"ready\"").replace("\"snapshotId\":null,\"warmCopies\":0", "\"snapshotId\":\"snweb\",\"warmCopies\":1")
            .replace("\"stateChangedAt\":\"2026-01-02T03:04:05.678Z\"", "\"stateChangedAt\":\"2026-01-02T03:04:35Z\"")
            .replace("\"buildLog\":\"\"", "\"buildLog\":\"$ mkdir -p /srv\\n$ echo hi > /srv/index.html\\n\"");
    private static final String FAILED = """
            {"name":"broken","id":"tpbroken","state":"failed","from":"default","setup":["echo preparing","echo oops >&2; exit 3"],
             "envNames":[],"start":[],"ready":null,"snapshotId":null,"createdAt":"2026-01-02T03:04:05Z",
             "stateChangedAt":"2026-01-02T03:04:09Z","failureReason":"setup[1] exited with 3: echo oops >&2; exit 3",
             "buildLog":"$ echo preparing\\npreparing\\n$ echo oops >&2; exit 3\\noops\\n(exit 3)\\n"}""";
    private static final TemplateInfo WEB = new TemplateInfo("web", "tpq3k7x2mfa4z5hd", TemplateState.READY, "default", null,
            List.of("mkdir -p /srv", "echo hi > /srv/index.html"), List.of("GREETING"), List.of("cd /srv && exec python3 -m http.server 8000"),
            "curl -fs http://127.0.0.1:8000/", "snweb", 1, Instant.parse("2026-01-02T03:04:05.678Z"), Instant.parse("2026-01-02T03:04:35Z"),
            null, "$ mkdir -p /srv\n$ echo hi > /srv/index.html\n");

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
    void buildSendsEveryPartOfTheRecipeWithItsApiFieldAndAnswersTheTemplateBuilding() {
        daemon.json("POST", "/v1/templates", 202, BUILDING);

        TemplateInfo building = perpetua.templates().build(TemplateRecipe.builder("web")
                .from("default")
                .setup("mkdir -p /srv", "echo hi > /srv/index.html")
                .env("GREETING", "hi").env(Map.of("B", "x=y"))
                .start(List.of("cd /srv && exec python3 -m http.server 8000"))
                .ready("curl -fs http://127.0.0.1:8000/")
                .readyTimeout(Duration.ofSeconds(30))
                .setupTimeout(Duration.ofMinutes(10))
                .memoryMb(512).cpus(0.5).diskMb(1024)
                .build());

        StubServer.Request request = daemon.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.text()).isEqualTo("{\"name\":\"web\",\"from\":\"default\","
                + "\"setup\":[\"mkdir -p /srv\",\"echo hi > /srv/index.html\"],\"env\":{\"GREETING\":\"hi\",\"B\":\"x=y\"},"
                + "\"start\":[\"cd /srv && exec python3 -m http.server 8000\"],\"ready\":\"curl -fs http://127.0.0.1:8000/\","
                + "\"readyTimeoutSeconds\":30,\"setupTimeoutSeconds\":600,\"memoryMb\":512,\"cpus\":0.5,\"diskMb\":1024}");
        assertThat(building.state()).isEqualTo(TemplateState.BUILDING);
        assertThat(building.snapshotId()).isNull();
        assertThat(building.buildLog()).isEmpty();
        assertThat(building.envNames()).containsExactly("GREETING");
    }

    @Test
    void aRecipeOfOnlyANameSendsOnlyTheName() {
        daemon.json("POST", "/v1/templates", 202, BUILDING);

        perpetua.templates().build(TemplateRecipe.builder("web").build());

        assertThat(daemon.only().text()).isEqualTo("{\"name\":\"web\"}");
    }

    @Test
    void aMalformedRecipeIsRefusedBeforeAnythingIsSent() {
        assertRefused(TemplateRecipe.builder("Web"),
                "name must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was 'Web'");
        assertRefused(TemplateRecipe.builder(null),
                "name must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was null");
        assertRefused(TemplateRecipe.builder("w".repeat(64)),
                "name must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was '" + "w".repeat(64) + "'");
        assertRefused(TemplateRecipe.builder("default"), "name must not be 'default', the built-in template's name");
        assertRefused(TemplateRecipe.builder("web").from("-x"),
                "from must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was '-x'");
        assertRefused(TemplateRecipe.builder("web").setup("true", " "), "setup[1] must not be blank but was ' '");
        assertRefused(TemplateRecipe.builder("web").start("true", null), "start[1] must not be blank but was null");
        assertRefused(TemplateRecipe.builder("web").setup("x".repeat(TemplateRecipe.MAX_COMMAND_LENGTH + 1)),
                "setup[0] must have at most 16384 characters but had 16385");
        assertRefused(TemplateRecipe.builder("web").setup(Collections.nCopies(TemplateRecipe.MAX_COMMANDS + 1, "true")),
                "setup may have at most 100 commands but had 101");
        assertRefused(TemplateRecipe.builder("web").ready(""), "ready must not be blank but was ''");
        assertRefused(TemplateRecipe.builder("web").readyTimeout(Duration.ZERO),
                "readyTimeout must be a positive whole number of seconds but was PT0S");
        assertRefused(TemplateRecipe.builder("web").setupTimeout(Duration.ofMillis(1500)),
                "setupTimeout must be a positive whole number of seconds but was PT1.5S");
        assertRefused(TemplateRecipe.builder("web").setupTimeout(Duration.ofSeconds(7201)),
                "setupTimeout must be at most 7200 seconds but was 7201");
        assertRefused(TemplateRecipe.builder("web").memoryMb(0), "memoryMb must be positive but was 0");
        assertRefused(TemplateRecipe.builder("web").cpus(Double.NaN), "cpus must be a positive number but was NaN");
        assertRefused(TemplateRecipe.builder("web").diskMb(-1), "diskMb must be positive but was -1");
        assertRefused(TemplateRecipe.builder("web-plus").from("web").diskMb(1024),
                "memoryMb, cpus and diskMb cannot be given with from 'web': a template made from another has its resources");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        TemplateRecipe recipe = TemplateRecipe.builder("a".repeat(63))
                .from("default").diskMb(64)
                .setup(Collections.nCopies(TemplateRecipe.MAX_COMMANDS, "x".repeat(TemplateRecipe.MAX_COMMAND_LENGTH)))
                .readyTimeout(TemplateRecipe.MAX_TIMEOUT)
                .build();

        assertThat(recipe.setup()).hasSize(100);
        assertThat(recipe.toBuilder().build()).isEqualTo(recipe);
        assertThat(TemplateRecipe.builder("0.a_b-c").from("web").build().from()).isEqualTo("web");
    }

    @Test
    void buildAndWaitAsksUntilTheTemplateIsReady() {
        AtomicInteger asked = new AtomicInteger();
        daemon.json("POST", "/v1/templates", 202, BUILDING)
                .on("GET", "/v1/templates/web", (request, exchange) -> StubServer.json(200,
                        asked.incrementAndGet() < 3 ? BUILDING : READY).respond(request, exchange));

        TemplateInfo ready = perpetua.templates().buildAndWait(TemplateRecipe.builder("web").build(), Duration.ofMinutes(1));

        assertThat(ready).isEqualTo(WEB);
        assertThat(asked).hasValue(3);
        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::path).containsExactly(
                tuple("POST", "/v1/templates"), tuple("GET", "/v1/templates/web"), tuple("GET", "/v1/templates/web"),
                tuple("GET", "/v1/templates/web"));
    }

    @Test
    void aFailedBuildThrowsAConflictWithTheReasonAndTheEndOfTheLog() {
        daemon.json("POST", "/v1/templates", 202, BUILDING.replace("\"web\"", "\"broken\""))
                .json("GET", "/v1/templates/broken", 200, FAILED);

        assertThatThrownBy(() -> perpetua.templates().buildAndWait(TemplateRecipe.builder("broken").build(), Duration.ofMinutes(1)))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.code()).isEqualTo("template_failed");
                    assertThat(e.status()).isEqualTo(409);
                })
                .hasMessage("""
                        template 'broken' failed to build: setup[1] exited with 3: echo oops >&2; exit 3
                        the end of its build log:
                        $ echo preparing
                        preparing
                        $ echo oops >&2; exit 3
                        oops
                        (exit 3)""");
    }

    @Test
    void onlyTheLastLinesOfALongLogAreInTheException() {
        String log = String.join("\\n", IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i).toList());
        daemon.json("GET", "/v1/templates/broken", 200, FAILED.replace("$ echo preparing\\npreparing\\n$ echo oops >&2; exit 3\\noops\\n(exit 3)\\n", log));

        assertThatThrownBy(() -> perpetua.templates().awaitReady("broken", Duration.ofSeconds(5)))
                .isInstanceOf(ConflictException.class)
                .hasMessageEndingWith("the end of its build log:\n" + String.join("\n",
                        IntStream.rangeClosed(31, 50).mapToObj(i -> "line " + i).toList()))
                .message().doesNotContain("line 30\n");
    }

    @Test
    void aBuildStillRunningAtTheDeadlineIsNotReadyAndWasAskedAgainAtTheDeadline() {
        daemon.json("GET", "/v1/templates/web", 200, BUILDING);
        List<TemplateState> seen = Collections.synchronizedList(new ArrayList<>());

        long started = System.nanoTime();
        assertThatThrownBy(() -> perpetua.templates().awaitReady("web", Duration.ofMillis(350), template -> seen.add(template.state())))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_not_ready"))
                .hasMessage("template 'web' is still being built after 350 ms; it builds on in the background");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
        assertThat(seen).hasSizeGreaterThanOrEqualTo(3).containsOnly(TemplateState.BUILDING).hasSize(daemon.requests().size());
    }

    @Test
    void onPollSeesEveryStateTheLastOneIncluded() {
        AtomicInteger asked = new AtomicInteger();
        daemon.on("GET", "/v1/templates/broken", (request, exchange) -> StubServer.json(200,
                asked.incrementAndGet() < 2 ? BUILDING.replace("\"web\"", "\"broken\"") : FAILED).respond(request, exchange));
        List<TemplateInfo> seen = new ArrayList<>();

        assertThatThrownBy(() -> perpetua.templates().awaitReady("broken", Duration.ofMinutes(1), seen::add))
                .isInstanceOf(ConflictException.class);

        assertThat(seen).extracting(TemplateInfo::state).containsExactly(TemplateState.BUILDING, TemplateState.FAILED);
        assertThat(seen.getLast().failureReason()).isEqualTo("setup[1] exited with 3: echo oops >&2; exit 3");
    }

    @Test
    void waitingNeedsAPositiveTimeoutAndSendsNothingWithout() {
        TemplateRecipe recipe = TemplateRecipe.builder("web").build();

        assertThatThrownBy(() -> perpetua.templates().buildAndWait(recipe, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be a positive duration but was PT0S");
        assertThatThrownBy(() -> perpetua.templates().awaitReady("web", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be a positive duration but was null");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void aTimeoutTooLongForNanosecondsWaitsAsLongAsItTakes() {
        daemon.json("GET", "/v1/templates/web", 200, READY);

        assertThat(perpetua.templates().awaitReady("web", Duration.ofSeconds(Long.MAX_VALUE)).state()).isEqualTo(TemplateState.READY);
    }

    @Test
    void anInterruptedWaitEndsWithTheInterruptFlagSet() {
        daemon.json("GET", "/v1/templates/web", 200, BUILDING);

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> perpetua.templates().awaitReady("web", Duration.ofMinutes(1)))
                    .isInstanceOfSatisfying(PerpetuaException.class, e -> assertThat(e.code()).isEqualTo(PerpetuaException.INTERRUPTED));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theTemplatesAreListedFetchedAndDeleted() {
        daemon.json("GET", "/v1/templates", 200, "{\"templates\":[" + READY + "," + FAILED + "]}")
                .json("GET", "/v1/templates/web", 200, READY)
                .json("DELETE", "/v1/templates/web", 204, "");

        assertThat(perpetua.templates().list()).extracting(TemplateInfo::name, TemplateInfo::state, TemplateInfo::failureReason)
                .containsExactly(tuple("web", TemplateState.READY, null),
                        tuple("broken", TemplateState.FAILED, "setup[1] exited with 3: echo oops >&2; exit 3"));
        assertThat(perpetua.templates().list()).as("a daemon that does not say keeps no copies")
                .extracting(TemplateInfo::warmCopies).containsExactly(1, 0);
        assertThat(perpetua.templates().get("web")).isEqualTo(WEB);
        perpetua.templates().delete("web");

        assertThat(daemon.requests()).extracting(StubServer.Request::method, StubServer.Request::path).containsExactly(
                tuple("GET", "/v1/templates"), tuple("GET", "/v1/templates"), tuple("GET", "/v1/templates/web"),
                tuple("DELETE", "/v1/templates/web"));
    }

    @Test
    void namesAreEscapedInThePathAndABlankOneIsRefused() {
        assertThatThrownBy(() -> perpetua.templates().get("a b/c")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> perpetua.templates().delete(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank but was ' '");

        assertThat(daemon.only().path()).isEqualTo("/v1/templates/a%20b%2Fc");
    }

    @Test
    void anUnknownTemplateIsNotFoundAndATakenNameAConflict() {
        daemon.json("GET", "/v1/templates/nosuch", 404, """
                {"error":{"code":"template_not_found","message":"no template named 'nosuch'"}}""")
                .json("POST", "/v1/templates", 409, """
                {"error":{"code":"template_exists","message":"the project has a template named 'web'; delete it first"}}""");

        assertThatThrownBy(() -> perpetua.templates().awaitReady("nosuch", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("template_not_found"))
                .hasMessage("no template named 'nosuch'");
        assertThatThrownBy(() -> perpetua.templates().buildAndWait(TemplateRecipe.builder("web").build(), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_exists"));
        assertThat(daemon.requests()).hasSize(2);
    }

    @Test
    void aFromTheDaemonRefusesNamesTheField() {
        daemon.json("POST", "/v1/templates", 400, """
                {"error":{"code":"invalid_input","message":"from must be 'default' or a ready template of the project; 'nosuch' is not",\
                "field":"from"}}""");

        assertThatThrownBy(() -> perpetua.templates().build(TemplateRecipe.builder("web").from("nosuch").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("from"));
    }

    @Test
    void aTemplateBuiltOnAnImageNamesIt() {
        daemon.json("GET", "/v1/templates/web", 200, READY.replace("\"image\":null", "\"image\":\"img3k7x2mfa4z5hd\""));

        assertThat(perpetua.templates().get("web").image()).isEqualTo("img3k7x2mfa4z5hd");
    }

    @Test
    void aStateThisClientDoesNotKnowIsABadResponse() {
        daemon.json("GET", "/v1/templates/web", 200, BUILDING.replace("\"building\"", "\"paused\""));

        assertThatThrownBy(() -> perpetua.templates().get("web"))
                .isInstanceOfSatisfying(PerpetuaException.class, e -> assertThat(e.code()).isEqualTo(PerpetuaException.BAD_RESPONSE))
                .hasMessageContaining("answer.state must be building, ready or failed but was \"paused\"");
    }

    @Test
    void createFromTemplateSendsOnlyTheTemplate() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX.replace("\"python\"", "\"web\""));

        Sandbox sandbox = perpetua.sandboxes().createFromTemplate("web");

        assertThat(daemon.only().text()).isEqualTo("{\"template\":\"web\"}");
        assertThat(sandbox.info().template()).isEqualTo("web");
        assertThatThrownBy(() -> perpetua.sandboxes().createFromTemplate("Web"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was 'Web'");
        assertThat(daemon.requests()).hasSize(1);
    }

    @Test
    void aSpecWithATemplateSendsItWithTheOtherSettings() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        perpetua.sandboxes().create(SandboxSpec.builder().template("web").label("team", "a").env("EXTRA", "1")
                .idleTimeout(Duration.ofMinutes(1)).build());

        assertThat(daemon.only().text())
                .isEqualTo("{\"template\":\"web\",\"idleTimeoutSeconds\":60,\"env\":{\"EXTRA\":\"1\"},\"labels\":{\"team\":\"a\"}}");
    }

    @Test
    void aTemplateStillBuildingOrFailedCannotBeStartedFrom() {
        daemon.json("POST", "/v1/sandboxes", 409, """
                {"error":{"code":"template_not_ready","message":"template 'web' is still being built"}}""");

        assertThatThrownBy(() -> perpetua.sandboxes().createFromTemplate("web"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("template_not_ready"));
    }

    @Test
    void theTailOfTheBuildLogIsItsLastLines() {
        assertThat(withLog("").buildLogTail(3)).isEmpty();
        assertThat(withLog("a\nb\nc\nd\n").buildLogTail(2)).isEqualTo("c\nd\n");
        assertThat(withLog("a\nb\nc\nd").buildLogTail(2)).isEqualTo("c\nd\n");
        assertThat(withLog("a\nb\n").buildLogTail(5)).isEqualTo("a\nb\n");
        assertThat(withLog("\nx\n").buildLogTail(1)).isEqualTo("x\n");
        assertThat(withLog("one").buildLogTail(1)).isEqualTo("one\n");
        assertThatThrownBy(() -> withLog("a").buildLogTail(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lines must be between 1 and 2147483647 but was 0");
    }

    private static TemplateInfo withLog(String log) {
        return new TemplateInfo("t", "tp1", TemplateState.FAILED, "default", null, null, null, null, null, null, 0, Instant.EPOCH, Instant.EPOCH,
                "why", log);
    }

    private static void assertRefused(TemplateRecipe.Builder recipe, String message) {
        assertThatThrownBy(recipe::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
