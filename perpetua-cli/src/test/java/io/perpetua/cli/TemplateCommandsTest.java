package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TemplateCommandsTest {

    private static final String BUILDING = """
            {"name":"web","id":"tpweb","state":"building","from":"default","image":null,"setup":["mkdir -p /srv","echo hi > /srv/index.html"],
             "envNames":["GREETING"],"start":["cd /srv && exec python3 -m http.server 8000"],"ready":"curl -fs http://127.0.0.1:8000/",
             "snapshotId":null,"warmCopies":0,"createdAt":"2026-01-02T03:04:05.678Z","stateChangedAt":"2026-01-02T03:04:05.678Z",
             "failureReason":null,"buildLog":""}""";
    private static final String READY = BUILDING.replace("\"building\"", "\"ready\"").replace("\"snapshotId\":null,\"warmCopies\":0", "\"snapshotId\":\"snweb\",\"warmCopies\":1")
            .replace("\"stateChangedAt\":\"2026-01-02T03:04:05.678Z\"", "\"stateChangedAt\":\"2026-01-02T03:04:35Z\"")
            .replace("\"buildLog\":\"\"", "\"buildLog\":\"$ mkdir -p /srv\\n$ echo hi > /srv/index.html\\n\"");
    private static final String FAILED = """
            {"name":"broken","id":"tpbroken","state":"failed","from":"default","image":null,"setup":["echo preparing","echo oops >&2; exit 3"],
             "envNames":[],"start":[],"ready":null,"snapshotId":null,"warmCopies":0,"createdAt":"2026-01-03T00:00:00Z",
             "stateChangedAt":"2026-01-03T00:00:04Z","failureReason":"setup[1] exited with 3: echo oops >&2; exit 3",
             "buildLog":"$ echo preparing\\npreparing\\n$ echo oops >&2; exit 3\\noops\\n(exit 3)\\n"}""";
    private static final String SANDBOX = """
            {"id":"sb1","project":"default","state":"running","template":"web","createdAt":"2026-01-02T03:04:05.678Z",
             "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"diskMb":1024,"maxProcesses":1024,"maxOpenFiles":65536,"envNames":[],
             "labels":{},"snapshot":null,"failureReason":null,"network":{"allowOut":[],"denyOut":[]}}""";

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
    void buildSendsTheRecipeWaitsUntilReadyShowingTheTimeAndPrintsOnlyTheName() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING).answerInTurn("GET", "/v1/templates/web", 200, BUILDING, BUILDING, READY);

        CliRun run = perpetua("template", "build", "web", "--from", "default", "--setup", "mkdir -p /srv",
                "--setup", "echo hi > /srv/index.html", "--start", "cd /srv && exec python3 -m http.server 8000",
                "--ready", "curl -fs http://127.0.0.1:8000/", "--env", "GREETING=hi", "--ready-timeout", "30",
                "--setup-timeout", "600", "--memory", "512", "--cpus", "0.5", "--disk", "1024");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("web\n");
        assertThat(run.err()).matches("(\rbuilding template web: \\d+ s)+\rbuilding template web: ready after \\d+ s\n");
        assertThat(daemon.requests()).extracting(Request::method, Request::path).containsExactly(tuple("POST", "/v1/templates"),
                tuple("GET", "/v1/templates/web"), tuple("GET", "/v1/templates/web"), tuple("GET", "/v1/templates/web"));
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"name\":\"web\",\"from\":\"default\","
                + "\"setup\":[\"mkdir -p /srv\",\"echo hi > /srv/index.html\"],\"env\":{\"GREETING\":\"hi\"},"
                + "\"start\":[\"cd /srv && exec python3 -m http.server 8000\"],\"ready\":\"curl -fs http://127.0.0.1:8000/\","
                + "\"readyTimeoutSeconds\":30,\"setupTimeoutSeconds\":600,\"memoryMb\":512,\"cpus\":0.5,\"diskMb\":1024}");
    }

    @Test
    void quietBuildsShowNothingAndJsonOutputPrintsTheReadyTemplate() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING).answer("GET", "/v1/templates/web", 200, READY);

        CliRun run = perpetua("template", "build", "web", "-q", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(json(run.out())).isEqualTo(json(READY));
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"name\":\"web\"}");
    }

    @Test
    void aFailedBuildPrintsItsLogAndReasonAndExitsWith1() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING.replace("\"web\"", "\"broken\""))
                .answer("GET", "/v1/templates/broken", 200, FAILED);

        CliRun run = perpetua("template", "build", "broken", "--setup", "echo preparing", "--setup", "echo oops >&2; exit 3");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).matches("""
                \rbuilding template broken: failed after \\d+ s
                build log of template broken:
                \\$ echo preparing
                preparing
                \\$ echo oops >&2; exit 3
                oops
                \\(exit 3\\)
                perpetua: template 'broken' failed to build: setup\\[1\\] exited with 3: echo oops >&2; exit 3
                """);
    }

    @Test
    void aFailedBuildWithJsonOutputPrintsTheFailedTemplateToo() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING.replace("\"web\"", "\"broken\""))
                .answer("GET", "/v1/templates/broken", 200, FAILED);

        CliRun run = perpetua("template", "build", "broken", "--output", "json", "--quiet");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(json(run.out())).isEqualTo(json(FAILED));
        assertThat(run.err()).startsWith("build log of template broken:\n").endsWith("failed to build: setup[1] exited with 3: echo oops >&2; exit 3\n");
    }

    @Test
    void noWaitPrintsTheNameAsSoonAsTheBuildStarted() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING);

        CliRun run = perpetua("template", "build", "web", "--no-wait");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("web\n");
        assertThat(run.err()).isEmpty();
        assertThat(daemon.requests()).extracting(Request::method).containsExactly("POST");
    }

    @Test
    void aBuildStillRunningAtTheWaitTimeoutExitsWith1AndSaysItGoesOn() {
        daemon.answer("POST", "/v1/templates", 202, BUILDING).answer("GET", "/v1/templates/web", 200, BUILDING);

        CliRun run = perpetua("template", "build", "web", "--wait-timeout", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsPattern("\rbuilding template web: still building after \\d+ s\n").endsWith(
                "perpetua: template 'web' is still being built after 1 s; it builds on in the background (template_not_ready)\n");
    }

    @Test
    void aTakenNameIsTheDaemonsConflict() {
        daemon.answer("POST", "/v1/templates", 409, """
                {"error":{"code":"template_exists","message":"the project has a template named 'web'; delete it first"}}""");

        CliRun run = perpetua("template", "build", "web");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: the project has a template named 'web'; delete it first (template_exists)\n");
    }

    @Test
    void aMalformedRecipeIsAUsageErrorAndNothingIsSent() {
        assertUsageError(perpetua("template", "build", "Web"),
                "perpetua: name must be 1 to 63 characters of [a-z0-9._-], starting with a letter or digit, but was 'Web'\n");
        assertUsageError(perpetua("template", "build", "web", "--setup", " "), "perpetua: setup[0] must not be blank but was ' '\n");
        assertUsageError(perpetua("template", "build", "web", "--ready-timeout", "0"),
                "perpetua: readyTimeout must be a positive whole number of seconds but was PT0S\n");
        assertUsageError(perpetua("template", "build", "web-plus", "--from", "web", "--memory", "512"),
                "perpetua: memoryMb, cpus and diskMb cannot be given with from 'web': a template made from another has its resources\n");
        CliRun noName = perpetua("template", "build");
        assertThat(noName.exitCode()).isEqualTo(2);
        assertThat(noName.err()).contains("NAME");
        CliRun badWait = perpetua("template", "build", "web", "--wait-timeout", "0");
        assertThat(badWait.exitCode()).isEqualTo(2);
        assertThat(badWait.err()).startsWith("--wait-timeout must be positive but was 0\n");
        CliRun both = perpetua("template", "build", "web", "--wait-timeout", "5", "--no-wait");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).startsWith("--wait-timeout goes without --no-wait\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void listPrintsTheTemplatesInATable() {
        daemon.answer("GET", "/v1/templates", 200, "{\"templates\":[" + READY + "," + FAILED + "]}");

        CliRun run = perpetua("template", "list");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "NAME    STATE   FROM     SNAPSHOT  CREATED",
                "web     ready   default  snweb     2026-01-02T03:04:05Z",
                "broken  failed  default  -         2026-01-03T00:00:00Z");
    }

    @Test
    void listPrintsJsonWhenAsked() {
        daemon.answer("GET", "/v1/templates", 200, "{\"templates\":[" + READY + "]}");

        CliRun run = perpetua("template", "list", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json("[" + READY + "]"));
    }

    @Test
    void getShowsTheStateSnapshotAndRecipeOneFieldALine() {
        daemon.answer("GET", "/v1/templates/web", 200, READY);

        CliRun run = perpetua("template", "get", "web");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                name:     web
                id:       tpweb
                state:    ready
                snapshot: snweb
                warm:     1 copy ready
                reason:   -
                from:     default
                setup:    mkdir -p /srv
                          echo hi > /srv/index.html
                start:    cd /srv && exec python3 -m http.server 8000
                ready:    curl -fs http://127.0.0.1:8000/
                env:      GREETING
                created:  2026-01-02T03:04:05Z
                changed:  2026-01-02T03:04:35Z
                """);
    }

    @Test
    void getOfAFailedTemplateShowsWhyAndItsLogWhenAsked() {
        daemon.answer("GET", "/v1/templates/broken", 200, FAILED);

        CliRun run = perpetua("template", "get", "broken", "--log");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("""
                state:    failed
                snapshot: -
                warm:     0 copies ready
                reason:   setup[1] exited with 3: echo oops >&2; exit 3
                """).contains("""
                start:    -
                ready:    -
                env:      -
                """).endsWith("""
                build log of template broken:
                $ echo preparing
                preparing
                $ echo oops >&2; exit 3
                oops
                (exit 3)
                """);
    }

    @Test
    void getShowsTheImageATemplateWasBuiltOn() {
        daemon.answer("GET", "/v1/templates/web", 200, READY.replace("\"image\":null", "\"image\":\"img3k7x2mfa4z5hd\""));

        CliRun run = perpetua("template", "get", "web");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("""
                from:     default
                image:    img3k7x2mfa4z5hd
                setup:    mkdir -p /srv
                """);
    }

    @Test
    void getPrintsJsonWhenAsked() {
        daemon.answer("GET", "/v1/templates/broken", 200, FAILED);

        CliRun run = perpetua("template", "get", "broken", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json(FAILED));
    }

    @Test
    void anUnknownTemplatePrintsTheDaemonsMessageAndCodeAndExitsWith1() {
        daemon.answer("GET", "/v1/templates/nosuch", 404, """
                {"error":{"code":"template_not_found","message":"no template named 'nosuch'"}}""");

        CliRun run = perpetua("template", "get", "nosuch");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("perpetua: no template named 'nosuch' (template_not_found)\n");
    }

    @Test
    void deleteGoesOnPastATemplateItCannotDeleteAndExitsWith1() {
        daemon.answer("DELETE", "/v1/templates/web", 204, "");

        CliRun run = perpetua("template", "delete", "nosuch", "web");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("deleted web\n");
        assertThat(run.err()).isEqualTo("perpetua: no stub for DELETE /v1/templates/nosuch (not_found)\n");
        assertThat(daemon.requests()).extracting(Request::method, Request::path)
                .containsExactly(tuple("DELETE", "/v1/templates/nosuch"), tuple("DELETE", "/v1/templates/web"));
    }

    @Test
    void deleteWithJsonOutputPrintsTheNamesDeleted() {
        daemon.answer("DELETE", "/v1/templates/web", 204, "");

        CliRun run = perpetua("template", "delete", "web", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo("[\"web\"]");
    }

    @Test
    void createWithATemplateSendsItWithTheOtherSettings() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--template", "web", "--label", "team=a", "--env", "EXTRA=1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb1\n");
        assertThat(json(daemon.requests().getFirst().body()))
                .isEqualTo("{\"template\":\"web\",\"env\":{\"EXTRA\":\"1\"},\"labels\":{\"team\":\"a\"}}");
    }

    @Test
    void aTemplateNotReadyIsTheDaemonsConflict() {
        daemon.answer("POST", "/v1/sandboxes", 409, """
                {"error":{"code":"template_failed","message":"template 'broken' failed to build: setup[1] exited with 3"}}""");

        CliRun run = perpetua("sandbox", "create", "--template", "broken");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: template 'broken' failed to build: setup[1] exited with 3 (template_failed)\n");
    }

    @Test
    void helpListsTheTemplateCommands() {
        assertThat(perpetua("--help").out()).contains("template");
        assertThat(perpetua("template", "--help").out()).contains("build", "list", "get", "delete");
        assertThat(perpetua("template", "build", "--help").out()).contains("--setup", "--start", "--ready", "--no-wait", "--wait-timeout");
    }

    private static void assertUsageError(CliRun run, String message) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(message);
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }

    private static String json(String text) {
        return JsonText.compact(text);
    }
}
