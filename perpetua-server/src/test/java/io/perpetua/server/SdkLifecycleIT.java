package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.perpetua.client.ExpirationPolicy;
import io.perpetua.client.Lifecycle;
import io.perpetua.client.NotFoundException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SandboxSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Lifecycles through the Java SDK against a real daemon: a sandbox made with a max age shows when
 * it expires, outlives that deadline once its rule is removed, and is deleted by a date rule set
 * later, with the reason in its timeline; what it does once idle and its rules change apart,
 * without waking it.
 */
class SdkLifecycleIT {

    /** Long enough for the create to answer and the rule to be removed well before it fires. */
    private static final Duration MAX_AGE = Duration.ofSeconds(8);

    private static Daemon daemon;
    private static Perpetua perpetua;
    private final List<Sandbox> sandboxes = new ArrayList<>();

    @BeforeAll
    static void startDaemon() {
        daemon = Daemon.startWith(Map.of("PERPETUA_WARM_POOL", "0"), "--idle-timeout", "2s", "--hibernate-after", "1h",
                "--tick-interval", "100ms");
        perpetua = Perpetua.connect(daemon.api().baseUri().toString(), daemon.api().key());
    }

    @AfterAll
    static void removeEverything() {
        if (perpetua != null) {
            perpetua.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void cleanUp() {
        for (Sandbox sandbox : sandboxes) {
            try {
                sandbox.delete();
            } catch (NotFoundException e) {
                // Deleted by its lifecycle, as the test meant.
            }
        }
    }

    @Test
    void aRemovedRuleNoLongerDeletesTheSandboxAndADateRuleSetLaterDoes() {
        Lifecycle maxAge = Lifecycle.of(Lifecycle.OnIdle.STANDBY, ExpirationPolicy.ttlMaxAge(MAX_AGE));
        Sandbox sandbox = create(SandboxSpec.builder().lifecycle(maxAge).build());
        SandboxInfo created = sandbox.info();
        assertThat(created.lifecycle()).isEqualTo(maxAge);
        assertThat(created.lifecycle().expirationPolicies().getFirst().value()).isEqualTo("8s");
        Instant deadline = created.createdAt().plus(MAX_AGE);
        assertThat(created.expiresAt()).isCloseTo(deadline, within(1, ChronoUnit.MILLIS)).isAfter(Instant.now());
        assertThat(sandbox.refresh().expiresAt()).as("as the store keeps it").isCloseTo(deadline, within(1, ChronoUnit.MILLIS));

        SandboxInfo perpetual = sandbox.setLifecycle(Lifecycle.DEFAULT);
        assertThat(perpetual.lifecycle()).isEqualTo(Lifecycle.DEFAULT);
        assertThat(perpetual.expiresAt()).isNull();
        assertThat(sandbox.info()).isSameAs(perpetual);

        Duration pastDeadline = Duration.between(Instant.now(), deadline.plusSeconds(2));
        pastDeadline = pastDeadline.isNegative() ? Duration.ZERO : pastDeadline;
        await().pollDelay(pastDeadline).atMost(pastDeadline.plusSeconds(2)).until(() -> true);
        SandboxInfo alive = sandbox.refresh();
        assertThat(alive.state()).as("alive 2 s after the removed rule's deadline, asleep").isEqualTo("standby");
        assertThat(alive.expiresAt()).isNull();

        Instant soon = Instant.now().plusSeconds(2);
        SandboxInfo dated = sandbox.setLifecycle(Lifecycle.of(Lifecycle.OnIdle.STANDBY, ExpirationPolicy.date(soon)));
        assertThat(dated.expiresAt()).isEqualTo(soon);
        assertThat(dated.state()).as("not woken").isEqualTo("standby");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> gone(sandbox));
        assertThat(Instant.now()).isAfterOrEqualTo(soon);

        assertThatThrownBy(sandbox::refresh)
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("sandbox_not_found"));
        assertThat(perpetua.sandboxes().list()).extracting(Sandbox::id).doesNotContain(sandbox.id());
        JsonNode timeline = daemon.api().get("/v1/sandboxes/" + sandbox.id() + "/timeline").json();
        assertThat(timeline.path("state").asString()).isEqualTo("deleted");
        assertThat(timeline.path("reason").asString()).isEqualTo("expired: date " + soon);
    }

    @Test
    void whatItDoesOnceIdleAndItsRulesChangeApartWithoutWakingIt() {
        Sandbox sandbox = create(SandboxSpec.builder()
                .lifecycle(Lifecycle.of(Lifecycle.OnIdle.STANDBY, ExpirationPolicy.ttlIdle(Duration.ofHours(1))))
                .build());
        assertThat(sandbox.hibernate().state()).isEqualTo("hibernated");

        SandboxInfo persistent = sandbox.setOnIdle(Lifecycle.OnIdle.NONE);
        assertThat(persistent.state()).as("not woken").isEqualTo("hibernated");
        assertThat(persistent.lifecycle()).as("the rule kept")
                .isEqualTo(Lifecycle.of(Lifecycle.OnIdle.NONE, ExpirationPolicy.of("ttl-idle", "1h")));
        assertThat(persistent.expiresAt()).isCloseTo(persistent.lastActivityAt().plus(Duration.ofHours(1)), within(1, ChronoUnit.MILLIS));

        SandboxInfo dated = sandbox.setExpirationPolicies(List.of(ExpirationPolicy.ttlMaxAge(Duration.ofDays(7)),
                ExpirationPolicy.of("date", "2099-01-01")));
        assertThat(dated.lifecycle().onIdle()).as("kept").isEqualTo(Lifecycle.OnIdle.NONE);
        assertThat(dated.lifecycle().expirationPolicies()).extracting(ExpirationPolicy::value).containsExactly("7d", "2099-01-01");
        assertThat(dated.expiresAt()).isCloseTo(dated.createdAt().plus(Duration.ofDays(7)), within(1, ChronoUnit.MILLIS));

        SandboxInfo kept = sandbox.setExpirationPolicies(List.of());
        assertThat(kept.lifecycle()).isEqualTo(Lifecycle.of(Lifecycle.OnIdle.NONE));
        assertThat(kept.expiresAt()).isNull();
        assertThat(sandbox.refresh()).satisfies(info -> {
            assertThat(info.state()).isEqualTo("hibernated");
            assertThat(info.lifecycle()).isEqualTo(Lifecycle.of(Lifecycle.OnIdle.NONE));
        });
        assertThat(sandbox.exec("echo", "awake").stdout()).as("it still wakes for a request").isEqualTo("awake\n");
    }

    private Sandbox create(SandboxSpec spec) {
        Sandbox sandbox = perpetua.sandboxes().create(spec);
        sandboxes.add(sandbox);
        return sandbox;
    }

    private static boolean gone(Sandbox sandbox) {
        try {
            sandbox.refresh();
            return false;
        } catch (NotFoundException e) {
            return true;
        }
    }
}
