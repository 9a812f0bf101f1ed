package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SandboxCommandsTest {

    private static final String SANDBOX = """
            {"id":"sb1","project":"default","state":"running","template":"python","createdAt":"2026-01-02T03:04:05.678Z",
             "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"diskMb":10240,"maxProcesses":1024,"maxOpenFiles":65536,"envNames":["A"],
             "labels":{"team":"ml","owner":"ana"},"snapshot":null,"failureReason":null,
             "network":{"allowOut":[],"denyOut":[]},
             "lifecycle":{"onIdle":"standby","expirationPolicies":[{"type":"ttl-idle","value":"30m"}],"expiresAt":"2026-01-02T03:35:00.500Z"},
             "expiresAt":"2026-01-02T03:35:00.500Z","mounts":[]}""";
    private static final String HIBERNATED = """
            {"id":"sb2","project":"default","state":"hibernated","template":null,"createdAt":"2026-01-01T00:00:00Z",
             "stateChangedAt":"2026-01-01T01:00:00Z","lastActivityAt":"2026-01-01T00:10:00Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":256,"cpus":0.5,"diskMb":10240,"maxProcesses":1024,"maxOpenFiles":65536,"envNames":[],
             "labels":{},"snapshot":{"id":"snap1","createdAt":"2026-01-01T01:00:00Z","sizeBytes":1024},
             "failureReason":null,"network":{"allowOut":[],"denyOut":[]},
             "lifecycle":{"onIdle":"standby","expirationPolicies":[],"expiresAt":null},"expiresAt":null,"mounts":[]}""";

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
    void createSendsTheGivenSettingsAndPrintsOnlyTheId() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--template", "python", "--memory", "512", "--cpus", "2",
                "--idle-timeout", "30", "--hibernate-after", "600",
                "--env", "A=1", "--env", "URL=http://x/?a=b", "--label", "team=ml", "--label", "owner=ana");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sb1\n");
        assertThat(run.err()).isEmpty();
        Request request = daemon.requests().getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/sandboxes");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(json(request.body())).isEqualTo(json("""
                {"template":"python","idleTimeoutSeconds":30,"hibernateAfterSeconds":600,
                 "env":{"A":"1","URL":"http://x/?a=b"},"labels":{"team":"ml","owner":"ana"},
                 "memoryMb":512,"cpus":2.0}"""));
    }

    @Test
    void createSendsTheNetworkPolicyAndNetworkReplacesIt() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);
        daemon.answer("PUT", "/v1/sandboxes/sb1/network", 200, SANDBOX.replace("\"denyOut\":[]", "\"denyOut\":[\"0.0.0.0/0\"]"));

        CliRun created = perpetua("sandbox", "create", "--allow-out", "pypi.org", "--deny-out", "0.0.0.0/0");
        CliRun changed = perpetua("sandbox", "network", "sb1", "--deny-out", "0.0.0.0/0");
        CliRun both = perpetua("sandbox", "network", "sb1", "--default", "--deny-out", "10.0.0.0/8");

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body()))
                .isEqualTo(json("{\"network\":{\"allowOut\":[\"pypi.org\"],\"denyOut\":[\"0.0.0.0/0\"]}}"));
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(daemon.requests().get(1).method()).isEqualTo("PUT");
        assertThat(json(daemon.requests().get(1).body())).isEqualTo(json("{\"denyOut\":[\"0.0.0.0/0\"]}"));
        assertThat(changed.out()).contains("deny out:  0.0.0.0/0");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("--default");
        assertThat(daemon.requests()).hasSize(2);
    }

    @Test
    void createWithoutOptionsSendsAnEmptyObjectSoTheDaemonsDefaultsApply() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create");

        assertThat(run.exitCode()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("{}"));
    }

    @Test
    void createWithJsonOutputPrintsTheWholeSandbox() {
        daemon.answer("POST", "/v1/sandboxes", 201, SANDBOX);

        CliRun run = perpetua("sandbox", "create", "--output", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(json(run.out())).isEqualTo(json(SANDBOX));
    }

    @Test
    void listPrintsATableWithIdsStatesAndLabels() {
        daemon.answer("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[" + SANDBOX + "," + HIBERNATED + "]}");

        CliRun run = perpetua("sandbox", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "ID   STATE       TEMPLATE  CREATED               LAST ACTIVITY         EXPIRES               LABELS",
                "sb1  running     python    2026-01-02T03:04:05Z  2026-01-02T03:05:00Z  2026-01-02T03:35:00Z  team=ml,owner=ana",
                "sb2  hibernated  -         2026-01-01T00:00:00Z  2026-01-01T00:10:00Z  -                     ");
        assertThat(daemon.requests()).extracting(Request::method, Request::path)
                .containsExactly(tuple("GET", "/v1/sandboxes"));
    }

    @Test
    void listWithJsonOutputPrintsTheArrayOfSandboxes() {
        daemon.answer("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[" + SANDBOX + "]}");

        CliRun run = perpetua("sandbox", "list", "--output", "json");

        assertThat(json(run.out())).isEqualTo(json("[" + SANDBOX + "]"));
    }

    @Test
    void getPrintsTheSandboxAsPrettyJson() {
        daemon.answer("GET", "/v1/sandboxes/sb2", 200, HIBERNATED);

        CliRun run = perpetua("sandbox", "get", "sb2");

        assertThat(run.exitCode()).isZero();
        assertThat(json(run.out())).isEqualTo(json(HIBERNATED));
        assertThat(run.out()).contains("\n  \"snapshot\"");
    }

    @Test
    void execForwardsTheCommandWorkingDirectoryEnvironmentAndTimeout() {
        daemon.answerEvents("POST", "/v1/sandboxes/sb1/exec", exitEvent(0));

        CliRun run = perpetua("sandbox", "exec", "sb1", "--cwd", "/work", "--env", "A=1", "--timeout", "30",
                "--", "sh", "-c", "ls -la @x");

        assertThat(run.exitCode()).isZero();
        Request request = daemon.requests().getFirst();
        assertThat(request.path()).isEqualTo("/v1/sandboxes/sb1/exec");
        assertThat(json(request.body())).isEqualTo(json("""
                {"cmd":["sh","-c","ls -la @x"],"cwd":"/work","env":{"A":"1"},"timeoutSeconds":30}"""));
    }

    @Test
    void execSendsItsOwnStandardInputWhenAskedTo() {
        daemon.answerEvents("POST", "/v1/sandboxes/sb1/exec", exitEvent(0));

        CliRun run = CliRun.of(env(), "line one\nlíne two\n", "sandbox", "exec", "sb1", "--stdin", "--", "cat");

        assertThat(run.exitCode()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"cmd":["cat"],"stdin":"line one\\nlíne two\\n"}"""));
    }

    @Test
    void execStreamsTheCommandsOutputVerbatimAndExitsWithItsExitCode() {
        daemon.answerEvents("POST", "/v1/sandboxes/sb1/exec", StubDaemon.event(null, "stdout", "out\n")
                + StubDaemon.event(null, "stderr", "warn\n")
                + ": keep-alive\n\n"
                + StubDaemon.event(null, "stdout", "no newline")
                + exitEvent(3));

        CliRun run = perpetua("sandbox", "exec", "sb1", "--", "make");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("out\nno newline");
        assertThat(run.err()).isEqualTo("warn\n");
        assertThat(daemon.requests().getFirst().header("Accept")).isEqualTo("text/event-stream");
    }

    @Test
    void execThatLosesTheStreamBeforeTheCommandEndedSaysSoAndExitsWith1() {
        daemon.answerEvents("POST", "/v1/sandboxes/sb1/exec", StubDaemon.event(null, "stdout", "half"));

        CliRun run = perpetua("sandbox", "exec", "sb1", "--", "make");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("half");
        assertThat(run.err()).startsWith("perpetua: the connection to the daemon at " + daemon.url()
                + " broke off during POST /v1/sandboxes/sb1/exec");
    }

    @Test
    void execSaysWhenTheCommandTimedOut() {
        daemon.answerEvents("POST", "/v1/sandboxes/sb1/exec", StubDaemon.event(null, "exit",
                "{\"exitCode\":124,\"durationMs\":5003,\"timedOut\":true}"));

        CliRun run = perpetua("sandbox", "exec", "sb1", "--timeout", "5", "--", "sleep", "60");

        assertThat(run.exitCode()).isEqualTo(124);
        assertThat(run.err()).isEqualTo("perpetua: command timed out after 5 s\n");
    }

    @Test
    void execWithJsonOutputPrintsTheWholeResult() {
        String result = execResult(2, "x", "y");
        daemon.answer("POST", "/v1/sandboxes/sb1/exec", 200, result);

        CliRun run = perpetua("sandbox", "exec", "--output", "json", "sb1", "--", "false");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(json(run.out())).isEqualTo(json(result));
        assertThat(run.err()).isEmpty();
        assertThat(daemon.requests().getFirst().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void hibernatePostsToTheSandboxAndPrintsItsIdAndNewState() {
        daemon.answer("POST", "/v1/sandboxes/sb2/hibernate", 200, HIBERNATED);

        CliRun run = perpetua("sandbox", "hibernate", "sb2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sb2 hibernated\n");
        assertThat(daemon.requests().getFirst().body()).isEmpty();
    }

    @Test
    void standbyAndResumePostToTheirOwnPaths() {
        daemon.answer("POST", "/v1/sandboxes/sb1/standby", 200, SANDBOX.replace("\"running\"", "\"standby\""))
                .answer("POST", "/v1/sandboxes/sb1/resume", 200, SANDBOX);

        assertThat(perpetua("sandbox", "standby", "sb1").out()).isEqualTo("sb1 standby\n");
        assertThat(perpetua("sandbox", "resume", "sb1").out()).isEqualTo("sb1 running\n");
        assertThat(daemon.requests()).extracting(Request::path)
                .containsExactly("/v1/sandboxes/sb1/standby", "/v1/sandboxes/sb1/resume");
    }

    @Test
    void deleteDeletesEverySandboxGiven() {
        daemon.answer("DELETE", "/v1/sandboxes/sb1", 204, "").answer("DELETE", "/v1/sandboxes/sb2", 204, "");

        CliRun run = perpetua("sandbox", "delete", "sb1", "sb2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("deleted sb1\ndeleted sb2\n");
        assertThat(daemon.requests()).extracting(Request::method, Request::path).containsExactly(
                tuple("DELETE", "/v1/sandboxes/sb1"),
                tuple("DELETE", "/v1/sandboxes/sb2"));
    }

    @Test
    void deleteGoesOnPastASandboxItCannotDeleteAndExitsWith1() {
        daemon.answer("DELETE", "/v1/sandboxes/sb2", 204, "");

        CliRun run = perpetua("sandbox", "delete", "nope", "sb2");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("deleted sb2\n");
        assertThat(run.err()).isEqualTo("perpetua: no stub for DELETE /v1/sandboxes/nope (not_found)\n");
    }

    @Test
    void anApiErrorPrintsTheMessageAndCodeAndExitsWith1() {
        daemon.answer("POST", "/v1/sandboxes", 400, """
                {"error":{"code":"invalid_argument","message":"memoryMb must be at least 64 but was 1","field":"memoryMb"}}""");

        CliRun run = perpetua("sandbox", "create", "--memory", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("perpetua: memoryMb must be at least 64 but was 1 (invalid_argument)\n");
    }

    @Test
    void anErrorWithoutTheErrorBodyStillNamesTheStatus() {
        daemon.answer("GET", "/v1/sandboxes/sb1", 502, "<html>Bad Gateway</html>");

        CliRun run = perpetua("sandbox", "get", "sb1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: the daemon answered GET /v1/sandboxes/sb1 with HTTP 502\n");
    }

    @Test
    void theUrlOptionWinsOverTheEnvironment() {
        daemon.answer("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[]}");

        CliRun run = CliRun.of(Map.of("PERPETUA_URL", "http://127.0.0.1:1"), "",
                "sandbox", "list", "--url", daemon.url() + "/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).hasSize(1).first().asString().startsWith("ID");
    }

    @Test
    void theApiKeyFromTheEnvironmentIsSentAsABearerToken() {
        daemon.answer("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[]}");

        CliRun.of(Map.of("PERPETUA_URL", daemon.url(), "PERPETUA_API_KEY", "s3cret"), "", "sandbox", "list");

        assertThat(daemon.requests().getFirst().header("Authorization")).isEqualTo("Bearer s3cret");
    }

    @Test
    void anArgumentTheClientRejectsIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "create", "--idle-timeout", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("perpetua: idleTimeout must be a positive whole number of seconds but was PT0S\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void idsAreEscapedInThePath() {
        perpetua("sandbox", "get", "a b/c");

        assertThat(daemon.requests().getFirst().path()).isEqualTo("/v1/sandboxes/a%20b%2Fc");
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(env(), "", args);
    }

    private Map<String, String> env() {
        return Map.of("PERPETUA_URL", daemon.url());
    }

    private static String exitEvent(int exitCode) {
        return StubDaemon.event(null, "exit", "{\"exitCode\":" + exitCode + ",\"durationMs\":12,\"timedOut\":false}");
    }

    private static String execResult(int exitCode, String stdout, String stderr) {
        return "{\"exitCode\":" + exitCode + ",\"stdout\":\"" + stdout + "\",\"stderr\":\"" + stderr
                + "\",\"durationMs\":12,\"timedOut\":false,\"truncated\":false}";
    }

    private static String json(String text) {
        return JsonText.compact(text);
    }
}
