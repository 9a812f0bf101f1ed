package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.perpetua.cli.StubDaemon.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecycleCommandsTest {

    private static final String RULES = """
            {"onIdle":"none","expirationPolicies":[{"type":"ttl-idle","value":"30m"},{"type":"date","value":"2027-01-01"}],
             "expiresAt":"2026-01-02T03:35:00.500Z"}""";
    private static final String EXPIRING = sandbox(RULES, "\"2026-01-02T03:35:00.500Z\"");
    private static final String PERPETUAL = sandbox("{\"onIdle\":\"standby\",\"expirationPolicies\":[],\"expiresAt\":null}", "null");

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
    void createSendsTheLifecycleOfItsOptions() {
        daemon.answer("POST", "/v1/sandboxes", 201, EXPIRING);

        CliRun run = perpetua("sandbox", "create", "--memory", "512", "--on-idle", "none", "--expire", "ttl-idle=30m",
                "--expire", "date=2027-01-01");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sb1\n");
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"memoryMb":512,"lifecycle":{"onIdle":"none","expirationPolicies":[{"type":"ttl-idle","value":"30m"},
                 {"type":"date","value":"2027-01-01"}]}}"""));
    }

    @Test
    void createWithRulesAloneIsPerpetualUntilTheyDeleteIt() {
        daemon.answer("POST", "/v1/sandboxes", 201, EXPIRING);

        CliRun run = perpetua("sandbox", "create", "--expire", "ttl-max-age=1d12h");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"lifecycle":{"onIdle":"standby","expirationPolicies":[{"type":"ttl-max-age","value":"1d12h"}]}}"""));
    }

    @Test
    void aRuleThatDoesNotParseIsAUsageErrorNamingItAndNothingIsSent() {
        CliRun noEquals = perpetua("sandbox", "create", "--expire", "30m");
        CliRun badValue = perpetua("sandbox", "create", "--expire", "ttl-idle=soon");
        CliRun badType = perpetua("sandbox", "lifecycle", "sb1", "--expire", "forever=1d");
        CliRun badDate = perpetua("sandbox", "lifecycle", "sb1", "--expire", "date=2027-02-30");
        CliRun twice = perpetua("sandbox", "create", "--expire", "ttl-idle=1h", "--expire", "ttl-idle=2h");
        CliRun badModel = perpetua("sandbox", "lifecycle", "sb1", "--on-idle", "sleep");

        assertUsageError(noEquals, "--expire must be TYPE=VALUE, such as ttl-idle=30m or date=2027-01-01, but was '30m'\n");
        assertUsageError(badValue, "--expire ttl-idle=soon: the value of a ttl-idle rule must be a duration such as 90s, 30m, "
                + "24h, 7d or 1d12h but was 'soon'\n");
        assertUsageError(badType, "--expire forever=1d: type must be ttl-idle, ttl-max-age or date but was 'forever'\n");
        assertUsageError(badDate, "--expire date=2027-02-30: the value of a date rule must be an ISO date (2027-01-01) or date and "
                + "time with its offset (2027-01-01T09:00:00Z) but was '2027-02-30'\n");
        assertUsageError(twice, "--expire: expirationPolicies has two ttl-idle rules; give one of each type at most\n");
        assertThat(badModel.exitCode()).isEqualTo(2);
        assertThat(badModel.err()).contains("--on-idle", "sleep");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void createWithASnapshotRefusesALifecycle() {
        CliRun run = perpetua("sandbox", "create", "--snapshot", "snwarm", "--expire", "ttl-idle=1h");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--snapshot makes a copy with every setting of its snapshot; give it without --expire\n");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void withoutOptionsLifecyclePrintsTheLifecycleWithoutChangingIt() {
        daemon.answer("GET", "/v1/sandboxes/sb1", 200, EXPIRING);

        CliRun run = perpetua("sandbox", "lifecycle", "sb1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                on idle:    none
                expire:     ttl-idle=30m date=2027-01-01
                expires at: 2026-01-02T03:35:00Z
                """);
        assertThat(daemon.requests()).extracting(Request::method, Request::path).containsExactly(tuple("GET", "/v1/sandboxes/sb1"));
    }

    @Test
    void onIdleAloneChangesOnlyWhatItDoesOnceIdle() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 200, EXPIRING);

        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--on-idle", "DELETE");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Request request = daemon.requests().getFirst();
        assertThat(request.method()).isEqualTo("PATCH");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(json(request.body())).isEqualTo("{\"lifecycle\":{\"onIdle\":\"delete\"}}");
    }

    @Test
    void expireReplacesEveryRuleKeepingWhatItDoesOnceIdle() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 200, EXPIRING);

        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--expire", "ttl-max-age=7d", "--expire", "date=2027-01-01T09:00:00+02:00");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo(json("""
                {"lifecycle":{"expirationPolicies":[{"type":"ttl-max-age","value":"7d"},
                 {"type":"date","value":"2027-01-01T09:00:00+02:00"}]}}"""));
    }

    @Test
    void noExpiryRemovesEveryRuleAndSaysItNeverExpires() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 200, PERPETUAL);

        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--no-expiry");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(daemon.requests().getFirst().body())).isEqualTo("{\"lifecycle\":{\"expirationPolicies\":[]}}");
        assertThat(run.out()).isEqualTo("""
                on idle:    standby
                expire:     -
                expires at: never
                """);
    }

    @Test
    void bothPartsReplaceTheWholeLifecycle() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 200, PERPETUAL);

        CliRun kept = perpetua("sandbox", "lifecycle", "sb1", "--on-idle", "standby", "--no-expiry");
        CliRun ruled = perpetua("sandbox", "lifecycle", "sb1", "--on-idle", "none", "--expire", "ttl-idle=90s");

        assertThat(kept.exitCode()).as(kept.err()).isZero();
        assertThat(ruled.exitCode()).as(ruled.err()).isZero();
        assertThat(daemon.requests()).extracting(request -> json(request.body())).containsExactly(
                "{\"lifecycle\":{\"onIdle\":\"standby\",\"expirationPolicies\":[]}}",
                "{\"lifecycle\":{\"onIdle\":\"none\",\"expirationPolicies\":[{\"type\":\"ttl-idle\",\"value\":\"90s\"}]}}");
    }

    @Test
    void noExpiryWithRulesIsAUsageError() {
        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--no-expiry", "--expire", "ttl-idle=1h");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--no-expiry removes every rule; give it without --expire\n")
                .contains("Usage: perpetua sandbox lifecycle");
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void jsonOutputPrintsTheLifecycleAsTheDaemonShowsIt() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 200, EXPIRING);

        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--on-idle", "none", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out())).isEqualTo(json(RULES));
    }

    @Test
    void getAndListShowWhenTheSandboxExpires() {
        daemon.answer("GET", "/v1/sandboxes/sb1", 200, EXPIRING)
                .answer("GET", "/v1/sandboxes", 200, "{\"sandboxes\":[" + EXPIRING + "," + PERPETUAL.replace("\"sb1\"", "\"sb2\"") + "]}");

        CliRun got = perpetua("sandbox", "get", "sb1");
        CliRun listed = perpetua("sandbox", "list");

        assertThat(json(got.out())).isEqualTo(json(EXPIRING));
        assertThat(got.out()).contains("\n  \"expiresAt\": \"2026-01-02T03:35:00.500Z\",\n  \"mounts\": []\n}");
        assertThat(listed.out().lines().toList()).hasSize(3).first().asString().contains("  EXPIRES  ");
        assertThat(listed.out().lines().skip(1)).extracting(line -> line.split(" +")[5]).containsExactly("2026-01-02T03:35:00Z", "-");
    }

    @Test
    void aRuleTheDaemonRefusesIsItsErrorWithExitCode1() {
        daemon.answer("PATCH", "/v1/sandboxes/sb1", 400, """
                {"error":{"code":"invalid_input","message":"lifecycle.expirationPolicies[0].value must be a duration",
                 "field":"lifecycle.expirationPolicies[0].value"}}""");

        CliRun run = perpetua("sandbox", "lifecycle", "sb1", "--expire", "ttl-idle=1h");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: lifecycle.expirationPolicies[0].value must be a duration (invalid_input)\n");
    }

    @Test
    void helpListsTheLifecycleCommandAndOptions() {
        assertThat(perpetua("sandbox", "--help").out()).contains("lifecycle");
        assertThat(perpetua("sandbox", "lifecycle", "--help").out()).contains("--on-idle", "--expire", "--no-expiry");
        assertThat(perpetua("sandbox", "create", "--help").out()).contains("--on-idle", "--expire");
    }

    private static String sandbox(String lifecycle, String expiresAt) {
        return """
                {"id":"sb1","project":"default","state":"hibernated","template":null,"createdAt":"2026-01-02T03:04:05.678Z",
                 "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
                 "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"diskMb":1024,"maxProcesses":1024,
                 "maxOpenFiles":65536,"envNames":[],"labels":{},"snapshot":null,"failureReason":null,
                 "network":{"allowOut":[],"denyOut":[]},"lifecycle":%s,"expiresAt":%s,"mounts":[]}""".formatted(lifecycle, expiresAt);
    }

    private static void assertUsageError(CliRun run, String message) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(message);
    }

    private CliRun perpetua(String... args) {
        return CliRun.of(Map.of("PERPETUA_URL", daemon.url()), "", args);
    }

    private static String json(String text) {
        return JsonText.compact(text);
    }
}
