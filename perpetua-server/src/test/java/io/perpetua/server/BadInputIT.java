package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a clear 4xx JSON error naming the field, changes nothing, and the daemon lives
 * on; odd input that is not bad (any character in a proxied path) reaches its target. Cases that
 * {@code FuzzIT} found answered 5xx are kept here, exactly.
 */
class BadInputIT {

    /** Every route that reads a JSON body; SANDBOX stands for the sandbox's id. */
    private static final List<String> JSON_BODY_ROUTES = List.of("POST /v1/sandboxes", "POST /v1/sandboxes/SANDBOX/exec",
            "PUT /v1/sandboxes/SANDBOX/network", "POST /v1/sandboxes/SANDBOX/files/mkdir", "POST /v1/sandboxes/SANDBOX/files/move",
            "POST /v1/sandboxes/SANDBOX/processes", "POST /v1/sandboxes/SANDBOX/processes/prnonexistent0000/stdin",
            "POST /v1/sandboxes/SANDBOX/processes/prnonexistent0000/signal", "POST /v1/sandboxes/SANDBOX/previews", "POST /v1/keys",
            "POST /v1/cost-model");

    private static Daemon daemon;
    private static Api api;
    private static String sandbox;

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.start("--idle-timeout", "1h");
        api = daemon.api();
        sandbox = api.create(Map.of());
        api.post("/v1/sandboxes/" + sandbox + "/processes", Map.of("cmd", EchoServer.command(Duration.ofMillis(300))));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get(proxied("")).status() == 200);
    }

    @AfterAll
    static void removeEverything() {
        daemon.close();
    }

    @ParameterizedTest(name = "create {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"idleTimeoutSeconds\": -1}                | idleTimeoutSeconds",
        "{\"idleTimeoutSeconds\": 0}                 | idleTimeoutSeconds",
        "{\"idleTimeoutSeconds\": \"15\"}            | idleTimeoutSeconds",
        "{\"idleTimeoutSeconds\": 1.5}               | idleTimeoutSeconds",
        "{\"hibernateAfterSeconds\": -5}             | hibernateAfterSeconds",
        "{\"hibernateAfterSeconds\": 99999999999999} | hibernateAfterSeconds",
        "{\"memoryMb\": 1}                           | memoryMb",
        "{\"memoryMb\": \"lots\"}                    | memoryMb",
        "{\"memoryMb\": 100000000}                   | memoryMb",
        "{\"cpus\": 0}                               | cpus",
        "{\"cpus\": 1000}                            | cpus",
        "{\"template\": \"../etc\"}                  | template",
        "{\"template\": \"ubuntu\"}                  | template",
        "{\"env\": {\"1BAD\": \"x\"}}                | env",
        "{\"env\": {\"OK\": 5}}                      | env.OK",
        "{\"env\": [\"A=B\"]}                        | env",
        "{\"labels\": {\"k\": null}}                 | labels.k",
        "{\"colour\": \"blue\"}                      | colour",
        "{\"diskMb\": 1}                             | diskMb",
        "{\"diskMb\": 999999999}                     | diskMb",
        "{\"maxProcesses\": 0}                       | maxProcesses",
        "{\"maxOpenFiles\": \"many\"}                | maxOpenFiles",
        "{\"network\": {\"allowOut\": [\"999.1.1.1\"]}}  | network.allowOut[0]",
        "{\"network\": {\"allowOut\": [\"10.0.0.0/33\"]}} | network.allowOut[0]",
        "{\"network\": {\"denyOut\": [\"ok.org\", \"not a host!\"]}} | network.denyOut[1]",
        "{\"network\": {\"allowOut\": [null]}}       | network.allowOut[0]",
        "{\"network\": {\"allowOut\": [\"no-such-host.invalid\"]}} | network.allowOut[0]",
        "[]                                          | body",
        "{\"idleTimeoutSeconds\": 5                  | body",
        "not json                                    | body",
    })
    void createRejectsBadInputNamingTheField(String body, String field) {
        Api.Response response = api.post("/v1/sandboxes", body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_input");
        assertThat(response.errorField()).isEqualTo(field);
        assertThat(response.json().path("error").path("message").asString()).isNotBlank();
    }

    static Stream<Arguments> bodiesThatAreNoObjectOnEveryJsonRoute() {
        return JSON_BODY_ROUTES.stream().flatMap(route -> Stream.of("null", "[]", "\"\"", "0", "true", " null ")
                .map(body -> Arguments.of(route, body)));
    }

    @ParameterizedTest(name = "{0} with the body {1} -> 400")
    @MethodSource("bodiesThatAreNoObjectOnEveryJsonRoute")
    void aBodyThatIsNoObjectIsRefusedOnEveryRoute(String route, String body) {
        Api.Response response = send(route, body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_input");
        assertThat(response.errorField()).isEqualTo("body");
        assertThat(response.json().path("error").path("message").asString()).startsWith("the body must be a JSON object");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "POST /v1/sandboxes/SANDBOX/processes        | {\"cmd\": null}                          | cmd",
        "POST /v1/sandboxes/SANDBOX/files/mkdir      | {\"path\": null}                         | path",
        "POST /v1/sandboxes/SANDBOX/files/move       | {\"from\": null, \"to\": \"/root/x\"}     | from",
        "POST /v1/sandboxes/SANDBOX/previews         | {\"port\": null}                         | port",
        "POST /v1/cost-model                         | {\"generate\": null}                     | trace",
        "POST /v1/cost-model                         | {\"generate\": {\"activeRatio\": null}}  | generate.activeRatio",
    })
    void aNullFieldIsAMissingOneAndNamed(String route, String body, String field) {
        Api.Response response = send(route, body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo(field);
    }

    /** Sends {@code body} to a route written as "METHOD /path", SANDBOX in it standing for the sandbox's id. */
    private static Api.Response send(String route, String body) {
        String[] methodAndPath = route.replace("SANDBOX", sandbox).split(" ");
        return api.send(methodAndPath[0], methodAndPath[1], body);
    }

    @Test
    void aPercentUEscapeInThePathIsABadRequest() {
        RawHttp.Answer answer = new RawHttp("127.0.0.1", daemon.port())
                .exchange(FuzzCase.of("GET", "/v1/sandboxes/%u0041", Map.of("Authorization", api.authorization())));
        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(new Api.Response(answer.status(), answer.text()).errorCode()).isEqualTo("bad_request");
    }

    @Test
    void aRequestLineThatIsNotHttpIsABadRequestNotAnotherVersion() {
        RawHttp.Answer answer = new RawHttp("127.0.0.1", daemon.port())
                .exchange(FuzzCase.of("GET", "/v1/sandboxes/a b", Map.of("Authorization", api.authorization())));
        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(new Api.Response(answer.status(), answer.text()).errorCode()).isEqualTo("bad_request");
    }

    @Test
    void aFieldGivenTwiceIsRefusedNotGuessedAt() {
        Api.Response response = api.send("POST", "/v1/sandboxes/" + sandbox + "/exec", "{\"cmd\": [\"true\"], \"cmd\": [\"false\"]}");
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_input");
        assertThat(response.body()).containsIgnoringCase("duplicate").contains("cmd");
    }

    @Test
    void aBlankSeedOfASyntheticTraceIsNoSeed() {
        Api.Response response = api.get("/v1/cost-model/trace?activeRatio=0.5&sessions=1&hours=1&seed=");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @ParameterizedTest(name = "/ports/8000/{0}")
    @CsvSource({"fuzz%20value", "%5B%5B%5B", "%7B%22a%22:null%7D", "%C3%BCn%C3%AFc%C3%B8d%C3%A9", "100%25"})
    void anyPathIsPassedOnToTheSandboxesServer(String path) {
        Api.Response response = api.get(proxied(path));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} through the proxy")
    @CsvSource({"POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    void everyMethodReachesAServerThatClosesEachConnectionAfterItsAnswer(String method) {
        for (int i = 0; i < 3; i++) {
            Api.Response response = api.send(method, proxied("again"), "request " + i);
            assertThat(response.status()).as("request %d: %s", i, response.body()).isEqualTo(200);
        }
    }

    private static String proxied(String path) {
        return "/v1/sandboxes/" + sandbox + "/ports/" + EchoServer.PORT + "/" + path;
    }

    @ParameterizedTest(name = "exec {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{}                                              | cmd",
        "{\"cmd\": []}                                   | cmd",
        "{\"cmd\": \"ls -l\"}                            | cmd",
        "{\"cmd\": [\"\"]}                               | cmd[0]",
        "{\"cmd\": [\"ls\", null]}                       | cmd[1]",
        "{\"cmd\": [\"ls\", 3]}                          | cmd[1]",
        "{\"cmd\": [\"ls\"], \"timeoutSeconds\": -1}     | timeoutSeconds",
        "{\"cmd\": [\"ls\"], \"timeoutSeconds\": 0}      | timeoutSeconds",
        "{\"cmd\": [\"ls\"], \"timeoutSeconds\": 1e9}    | timeoutSeconds",
        "{\"cmd\": [\"ls\"], \"cwd\": \"relative\"}      | cwd",
        "{\"cmd\": [\"ls\"], \"cwd\": \"/no/such/dir\"}  | cwd",
        "{\"cmd\": [\"ls\"], \"env\": {\"A-B\": \"x\"}}  | env",
        "{\"cmd\": [\"ls\"], \"stdin\": 12}              | stdin",
        "{\"cmd\": [\"ls\"], \"extra\": true}            | extra",
        "''                                              | body",
    })
    void execRejectsBadInputNamingTheField(String body, String field) {
        Api.Response response = api.post("/v1/sandboxes/" + sandbox + "/exec", body.equals("''") ? "" : body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo(field);
    }

    @ParameterizedTest(name = "network {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                          | body",
        "{\"allowOut\": \"10.0.0.1\"}                | allowOut",
        "{\"allowOut\": [7]}                         | allowOut[0]",
        "{\"allowOut\": [\"10.0.0.256\"]}            | network.allowOut[0]",
        "{\"denyOut\": [\"-bad-.org\"]}               | network.denyOut[0]",
        "{\"mode\": \"closed\"}                       | mode",
    })
    void networkPolicyRejectsBadInputNamingTheFieldAndKeepsTheOldOne(String body, String field) {
        Api.Response response = api.send("PUT", "/v1/sandboxes/" + sandbox + "/network", body.equals("''") ? "" : body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo(field);
        assertThat(api.get("/v1/sandboxes/" + sandbox).json().path("network").path("denyOut")).isEmpty();
    }

    @Test
    void aNetworkPolicyOfTooManyEntriesIsRefused() {
        List<String> entries = IntStream.range(0, 65).mapToObj(i -> "10.0." + i + ".0/24").toList();
        Api.Response response = api.send("PUT", "/v1/sandboxes/" + sandbox + "/network", "{\"denyOut\": [\"" + String.join("\",\"", entries) + "\"]}");
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("network.denyOut");
    }

    @ParameterizedTest(name = "{0} {1} -> 404")
    @CsvSource({
        "GET, /v1/sandboxes/sbaaaaaaaaaaaaaa",
        "GET, /v1/sandboxes/not-an-id",
        "DELETE, /v1/sandboxes/sbaaaaaaaaaaaaaa",
        "POST, /v1/sandboxes/sbaaaaaaaaaaaaaa/exec",
        "POST, /v1/sandboxes/sbaaaaaaaaaaaaaa/standby",
        "POST, /v1/sandboxes/sbaaaaaaaaaaaaaa/hibernate",
        "POST, /v1/sandboxes/sbaaaaaaaaaaaaaa/resume",
        "GET, /v1/nothing-here",
    })
    void unknownThingsAreNotFound(String method, String path) {
        Api.Response response = api.send(method, path, method.equals("POST") ? "{\"cmd\":[\"true\"]}" : "");
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.errorCode()).isIn("sandbox_not_found", "not_found");
    }

    @ParameterizedTest(name = "upgrade {0} -> {1} {2}")
    @CsvSource({
        "/v1/sandboxes/SANDBOX/tcp/0, 400, port",
        "/v1/sandboxes/SANDBOX/tcp/http, 400, port",
        "/v1/sandboxes/SANDBOX/terminal?rows=0, 400, rows",
        "/v1/sandboxes/SANDBOX/terminal?cols=wide, 400, cols",
        "/v1/sandboxes/SANDBOX/ports/70000/ws, 400, port",
        "/v1/sandboxes/sbaaaaaaaaaaaaaa/tcp/80, 404, ''",
        "/v1/sandboxes/sbaaaaaaaaaaaaaa/terminal, 404, ''",
        "/preview/forged-token/ws, 404, ''",
    })
    void webSocketsRefuseBadInputBeforeTheUpgrade(String path, int status, String field) {
        Api.Response response = api.upgrade(path.replace("SANDBOX", sandbox));
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.errorCode()).isNotBlank();
        assertThat(response.errorField()).isEqualTo(field);
    }

    @Test
    void wrongMethodIsAJsonError() {
        Api.Response response = api.send("PUT", "/v1/sandboxes", "{}");
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.errorCode()).isEqualTo("method_not_allowed");
    }

    @Test
    void execOnADeletedSandboxIsNotFound() {
        String id = api.create(Map.of());
        api.delete("/v1/sandboxes/" + id);
        Api.Response response = api.post("/v1/sandboxes/" + id + "/exec", Map.of("cmd", List.of("true")));
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("sandbox_not_found");
    }

    @Test
    void theDaemonAndTheSandboxSurviveAllOfIt() {
        for (int i = 0; i < 20; i++) {
            api.post("/v1/sandboxes", "{\"cmd\": [" + "[".repeat(i) );
            api.post("/v1/sandboxes/" + sandbox + "/exec", "{\"cmd\": " + "{".repeat(i));
        }
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        assertThat(api.state(sandbox)).isEqualTo("running");
        assertThat(api.sh(sandbox, "echo alive")).isEqualTo("alive\n");
    }
}
