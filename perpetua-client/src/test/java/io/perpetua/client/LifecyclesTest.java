package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecyclesTest {

    private static final String ID = "sbq3k7x2mfa4z5hd";
    private static final String PATH = "/v1/sandboxes/" + ID;
    /** The sandbox of {@link Fixtures#SANDBOX} with two rules, as the daemon shows them. */
    private static final String EXPIRING = Fixtures.SANDBOX.replace("\"failureReason\":null", """
            "failureReason":null,"lifecycle":{"onIdle":"none","expirationPolicies":[{"type":"ttl-idle","value":"30m"},
             {"type":"date","value":"2027-01-01"}],"expiresAt":"2026-01-02T03:35:00.500Z"},"expiresAt":"2026-01-02T03:35:00.500Z\"""");
    private static final Lifecycle RULES = Lifecycle.of(Lifecycle.OnIdle.NONE, ExpirationPolicy.ttlIdle(Duration.ofMinutes(30)),
            ExpirationPolicy.of("date", "2027-01-01"));

    private StubServer daemon;
    private Perpetua perpetua;
    private Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        daemon = StubServer.start();
        perpetua = Perpetua.connect(daemon.url(), null);
        sandbox = perpetua.sandboxes().handle(ID);
    }

    @AfterEach
    void stop() {
        perpetua.close();
        daemon.close();
    }

    @Test
    void createSendsBothPartsOfTheLifecycle() {
        daemon.json("POST", "/v1/sandboxes", 201, EXPIRING);

        perpetua.sandboxes().create(SandboxSpec.builder().memoryMb(512).lifecycle(RULES).build());

        assertThat(daemon.only().text()).isEqualTo("{\"memoryMb\":512,\"lifecycle\":{\"onIdle\":\"none\",\"expirationPolicies\":["
                + "{\"type\":\"ttl-idle\",\"value\":\"30m\"},{\"type\":\"date\",\"value\":\"2027-01-01\"}]}}");
    }

    @Test
    void aDefaultLifecycleAtCreationIsSentWithNoRule() {
        daemon.json("POST", "/v1/sandboxes", 201, Fixtures.SANDBOX);

        perpetua.sandboxes().create(SandboxSpec.builder().lifecycle(Lifecycle.DEFAULT).build());

        assertThat(daemon.only().text()).isEqualTo("{\"lifecycle\":{\"onIdle\":\"standby\",\"expirationPolicies\":[]}}");
    }

    @Test
    void theSandboxHoldsItsLifecycleAndWhenItExpires() {
        daemon.json("GET", PATH, 200, EXPIRING);

        SandboxInfo info = sandbox.refresh();

        assertThat(info.lifecycle()).isEqualTo(RULES);
        assertThat(info.lifecycle().expirationPolicies().getFirst().duration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(info.lifecycle().expirationPolicies().get(1).at()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(info.expiresAt()).isEqualTo(Instant.parse("2026-01-02T03:35:00.500Z"));
    }

    @Test
    void aSandboxWithoutRulesOrFromADaemonThatDoesNotSayHasTheDefaultAndNoDeadline() {
        String none = Fixtures.SANDBOX.replace("\"failureReason\":null", """
                "failureReason":null,"lifecycle":{"onIdle":"standby","expirationPolicies":[],"expiresAt":null},"expiresAt":null""");
        daemon.json("GET", PATH, 200, none).json("GET", "/v1/sandboxes/sbold", 200, Fixtures.SANDBOX);

        SandboxInfo info = sandbox.refresh();
        SandboxInfo old = perpetua.sandboxes().get("sbold").info();

        assertThat(info.lifecycle()).isEqualTo(Lifecycle.DEFAULT);
        assertThat(info.expiresAt()).isNull();
        assertThat(old.lifecycle()).isEqualTo(Lifecycle.DEFAULT);
        assertThat(old.expiresAt()).isNull();
    }

    @Test
    void setLifecyclePatchesBothPartsAndTheHandleRemembersTheAnswer() {
        daemon.json("PATCH", PATH, 200, EXPIRING);

        SandboxInfo changed = sandbox.setLifecycle(RULES);

        StubServer.Request request = daemon.only();
        assertThat(request.method()).isEqualTo("PATCH");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.text()).isEqualTo("{\"lifecycle\":{\"onIdle\":\"none\",\"expirationPolicies\":["
                + "{\"type\":\"ttl-idle\",\"value\":\"30m\"},{\"type\":\"date\",\"value\":\"2027-01-01\"}]}}");
        assertThat(changed.lifecycle()).isEqualTo(RULES);
        assertThat(sandbox.info()).isSameAs(changed);
    }

    @Test
    void theDefaultLifecycleRemovesEveryRule() {
        daemon.json("PATCH", PATH, 200, Fixtures.SANDBOX);

        sandbox.setLifecycle(Lifecycle.DEFAULT);

        assertThat(daemon.only().text()).isEqualTo("{\"lifecycle\":{\"onIdle\":\"standby\",\"expirationPolicies\":[]}}");
    }

    @Test
    void onIdleAndTheRulesCanEachBeChangedAloneKeepingTheOther() {
        daemon.json("PATCH", PATH, 200, EXPIRING);

        sandbox.setOnIdle(Lifecycle.OnIdle.DELETE);
        sandbox.setExpirationPolicies(List.of(ExpirationPolicy.ttlMaxAge(Duration.ofDays(7))));
        sandbox.setExpirationPolicies(List.of());

        assertThat(daemon.requests()).extracting(StubServer.Request::text).containsExactly(
                "{\"lifecycle\":{\"onIdle\":\"delete\"}}",
                "{\"lifecycle\":{\"expirationPolicies\":[{\"type\":\"ttl-max-age\",\"value\":\"7d\"}]}}",
                "{\"lifecycle\":{\"expirationPolicies\":[]}}");
    }

    @Test
    void aRuleTheDaemonRefusesIsAnInvalidRequestNamingTheField() {
        daemon.json("PATCH", PATH, 400, """
                {"error":{"code":"invalid_input","message":"lifecycle.expirationPolicies[0].value must be in the future",
                 "field":"lifecycle.expirationPolicies[0].value"}}""");

        assertThatThrownBy(() -> sandbox.setLifecycle(RULES))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_input");
                    assertThat(e.field()).isEqualTo("lifecycle.expirationPolicies[0].value");
                });
    }

    @Test
    void durationsAreTakenAsTheDaemonTakesThem() {
        for (String value : List.of("90s", "30m", "24h", "7d", "1d12h", "1h30m15s", "30M", "3660d", "000000001s")) {
            assertThat(ExpirationPolicy.of("ttl-idle", value).value()).isEqualTo(value);
        }
        assertThat(ExpirationPolicy.of("ttl-max-age", " 1d12h ").value()).as("stripped, as the daemon keeps it").isEqualTo("1d12h");
        assertThat(ExpirationPolicy.of("ttl-max-age", "1d12h").duration()).isEqualTo(Duration.ofHours(36));
        assertThat(ExpirationPolicy.of("ttl-idle", "30m").at()).isNull();
    }

    @Test
    void aDurationThatDoesNotParseIsRefusedNamingTheRuleAndTheValue() {
        assertThatThrownBy(() -> ExpirationPolicy.of("ttl-idle", "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of a ttl-idle rule must be a duration such as 90s, 30m, 24h, 7d or 1d12h but was 'soon'");
        assertThatThrownBy(() -> ExpirationPolicy.of("ttl-max-age", "0s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of a ttl-max-age rule must be longer than 0 and at most 3660 days but was '0s'");
        assertThatThrownBy(() -> ExpirationPolicy.of("ttl-idle", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of a ttl-idle rule must be 1 to 64 characters, a duration such as 30m or 7d, but was ''");
        for (String value : List.of("1d 12h", "-1s", "1.5h", "1w", "30", "h", "1234567890s", "3661d", "PT30M", "9".repeat(65))) {
            assertThatThrownBy(() -> ExpirationPolicy.of("ttl-idle", value)).as(value).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new ExpirationPolicy(ExpirationPolicy.Type.TTL_IDLE, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of a ttl-idle rule must be 1 to 64 characters, a duration such as 30m or 7d, but was null");
    }

    @Test
    void datesAreIsoDatesOrDatesAndTimesWithTheirOffset() {
        assertThat(ExpirationPolicy.of("date", "2027-01-01").at()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(ExpirationPolicy.of("date", "2027-01-01T09:00:00+02:00").at()).isEqualTo(Instant.parse("2027-01-01T07:00:00Z"));
        assertThat(ExpirationPolicy.of("date", "2027-01-01T09:00:00.250Z").at()).isEqualTo(Instant.parse("2027-01-01T09:00:00.250Z"));
        assertThat(ExpirationPolicy.of("date", "2027-01-01").duration()).isNull();
        assertThatThrownBy(() -> ExpirationPolicy.of("date", "2027-02-30"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value of a date rule must be an ISO date (2027-01-01) or date and time with its offset "
                        + "(2027-01-01T09:00:00Z) but was '2027-02-30'");
        for (String value : List.of("2027-01-01T09:00:00", "tomorrow", "30m", "01/01/2027", "2027-1-1")) {
            assertThatThrownBy(() -> ExpirationPolicy.of("date", value)).as(value).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anUnknownTypeIsRefused() {
        assertThatThrownBy(() -> ExpirationPolicy.of("forever", "1d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type must be ttl-idle, ttl-max-age or date but was 'forever'");
        assertThatThrownBy(() -> ExpirationPolicy.of("TTL_IDLE", "1d")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ExpirationPolicy.Type.of("ttl-max-age")).isEqualTo(ExpirationPolicy.Type.TTL_MAX_AGE);
        assertThat(ExpirationPolicy.Type.TTL_MAX_AGE.apiValue()).isEqualTo("ttl-max-age");
    }

    @Test
    void theFactoriesWriteDurationsInTheLargestUnitThatDividesThem() {
        assertThat(ExpirationPolicy.ttlIdle(Duration.ofSeconds(90)).value()).isEqualTo("90s");
        assertThat(ExpirationPolicy.ttlIdle(Duration.ofMinutes(30)).value()).isEqualTo("30m");
        assertThat(ExpirationPolicy.ttlMaxAge(Duration.ofHours(36)).value()).isEqualTo("36h");
        assertThat(ExpirationPolicy.ttlMaxAge(Duration.ofDays(7)).value()).isEqualTo("7d");
        assertThat(ExpirationPolicy.ttlMaxAge(ExpirationPolicy.MAX_DURATION).value()).isEqualTo("3660d");
        Instant at = Instant.parse("2027-01-01T09:00:00.123Z");
        assertThat(ExpirationPolicy.date(at)).isEqualTo(new ExpirationPolicy(ExpirationPolicy.Type.DATE, "2027-01-01T09:00:00.123Z"));
        assertThat(ExpirationPolicy.date(at).at()).isEqualTo(at);

        assertThatThrownBy(() -> ExpirationPolicy.ttlIdle(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idle must be a positive whole number of seconds but was PT1.5S");
        assertThatThrownBy(() -> ExpirationPolicy.ttlMaxAge(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExpirationPolicy.ttlMaxAge(ExpirationPolicy.MAX_DURATION.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("age must be at most 3660 days but was PT87840H1S");
    }

    @Test
    void aLifecycleHasAtMostOneRuleOfEachTypeAndNoNull() {
        assertThatThrownBy(() -> Lifecycle.of(Lifecycle.OnIdle.STANDBY, ExpirationPolicy.of("ttl-idle", "1h"),
                ExpirationPolicy.of("ttl-idle", "2h")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expirationPolicies has two ttl-idle rules; give one of each type at most");
        assertThatThrownBy(() -> new Lifecycle(null, Arrays.asList(ExpirationPolicy.of("date", "2027-01-01"), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expirationPolicies[1] must not be null");
        assertThat(new Lifecycle(null, null)).isEqualTo(Lifecycle.DEFAULT);
        assertThat(Lifecycle.of(Lifecycle.OnIdle.NONE).expirationPolicies()).isEmpty();
        assertThat(Lifecycle.OnIdle.NONE.apiValue()).isEqualTo("none");
    }

    @Test
    void nothingIsSentWhenTheRulesAreRefused() {
        assertThatThrownBy(() -> sandbox.setExpirationPolicies(List.of(ExpirationPolicy.ttlIdle(Duration.ofHours(1)),
                ExpirationPolicy.ttlIdle(Duration.ofHours(2))))).isInstanceOf(IllegalArgumentException.class);
        assertThat(daemon.requests()).isEmpty();
    }

    @Test
    void aSpecKeepsItsLifecycleWhenRebuilt() {
        SandboxSpec spec = SandboxSpec.builder().lifecycle(RULES).build();

        assertThat(spec.toBuilder().memoryMb(256).build().lifecycle()).isEqualTo(RULES);
        assertThat(SandboxSpec.defaults().lifecycle()).isNull();
    }
}
