package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.IDLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.ExpirationPolicy;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.store.Annotations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sandbox's lifecycle, its owner's: expiry rules that delete it, and what it does when idle. */
class LifecycleRulesTest {

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;

    @BeforeEach
    void start() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
    }

    @Test
    void aTtlIdleRuleDeletesAnIdleSandboxAtItsDeadlineAndSaysWhy() {
        Sandbox sandbox = create(new Lifecycle(null, List.of(rule("ttl-idle", "2m"))));
        assertThat(sandbox.lifecycle().expiresAt(sandbox)).contains(sandbox.lastActivityAt().plus(Duration.ofMinutes(2)));

        engine.clock.advance(Duration.ofMinutes(2).minusNanos(1));
        service.tick();
        assertThat(service.find(sandbox.id().value())).as("asleep, not yet expired").map(Sandbox::state).contains(SandboxState.STANDBY);

        engine.clock.advance(Duration.ofNanos(1));
        service.tick();
        assertThat(service.find(sandbox.id().value())).isEmpty();
        Sandbox stored = engine.store.find(sandbox.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(SandboxState.DELETED);
        assertThat(stored.failureReason()).isEqualTo("expired: ttl-idle 2m");
        assertThat(engine.listener.expired).containsExactly(sandbox.id() + " expired: ttl-idle 2m");
        assertThat(engine.runtime.sandboxes()).doesNotContain(sandbox.id());
    }

    @Test
    void aSandboxInUseIsNeverDeletedForBeingIdle() {
        Sandbox sandbox = create(new Lifecycle(Lifecycle.OnIdle.NONE, List.of(rule("ttl-idle", "1m"))));
        SandboxService.Lease busy = service.hold(sandbox.id());
        engine.clock.advance(Duration.ofMinutes(10));
        service.tick();
        assertThat(service.find(sandbox.id().value())).as("a request is running in it").isPresent();
        busy.close();
        engine.clock.advance(Duration.ofSeconds(59));
        service.tick();
        assertThat(service.find(sandbox.id().value())).as("its idle time counts from the end of the request").isPresent();
        engine.clock.advance(Duration.ofSeconds(1));
        service.tick();
        assertThat(service.find(sandbox.id().value())).isEmpty();
    }

    @Test
    void onIdleNoneNeverSleepsAndOnIdleDeleteIsGoneWhenIdle() {
        Sandbox persistent = create(new Lifecycle(Lifecycle.OnIdle.NONE, List.of()));
        Sandbox ephemeral = create(new Lifecycle(Lifecycle.OnIdle.DELETE, List.of()));
        Sandbox perpetual = create(Lifecycle.DEFAULT);

        engine.clock.advance(IDLE.multipliedBy(100));
        service.tick();

        assertThat(service.get(persistent.id()).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(service.find(ephemeral.id().value())).isEmpty();
        assertThat(engine.store.find(ephemeral.id()).orElseThrow().failureReason()).contains("onIdle: delete");
        assertThat(service.get(perpetual.id()).state()).isIn(SandboxState.STANDBY, SandboxState.HIBERNATED);
    }

    @Test
    void aRuleAddedWhileHibernatedDoesNotWakeItAndDeletesIt() {
        Sandbox sandbox = create(Lifecycle.DEFAULT);
        service.hibernate(sandbox.id());
        long restores = engine.runtime.count("restore");

        Sandbox changed = service.updateLifecycle(sandbox.id(), current -> new Lifecycle(current.onIdle(), List.of(rule("ttl-max-age", "1h"))));
        assertThat(changed.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.store.find(sandbox.id()).orElseThrow().lifecycle()).isEqualTo(changed.lifecycle());

        engine.clock.advance(Duration.ofHours(1));
        service.tick();
        assertThat(service.find(sandbox.id().value())).isEmpty();
        assertThat(engine.runtime.count("restore")).as("never woken").isEqualTo(restores);
    }

    @Test
    void aDeadlineThatPassedWhileTheDaemonWasDownFiresAtStart() {
        Sandbox sandbox = create(new Lifecycle(null, List.of(rule("date", "2026-01-05T12:00:00Z"))));
        service.standby(sandbox.id());
        service.close();

        engine.clock.advance(Duration.ofHours(3));
        service = engine.start();
        assertThat(service.find(sandbox.id().value())).isPresent();
        service.tick();
        assertThat(service.find(sandbox.id().value())).isEmpty();
        assertThat(engine.store.find(sandbox.id()).orElseThrow().failureReason()).isEqualTo("expired: date 2026-01-05T12:00:00Z");
    }

    @Test
    void removingTheRulesKeepsTheSandbox() {
        Sandbox sandbox = create(new Lifecycle(null, List.of(rule("ttl-max-age", "10m"))));
        service.updateLifecycle(sandbox.id(), current -> new Lifecycle(current.onIdle(), List.of()));
        engine.clock.advance(Duration.ofDays(30));
        service.tick();
        assertThat(service.find(sandbox.id().value())).isPresent();
    }

    private Sandbox create(Lifecycle lifecycle) {
        return service.create(ProjectId.DEFAULT, SandboxSpec.defaults(), lifecycle, Annotations.NONE);
    }

    private static ExpirationPolicy rule(String type, String value) {
        return ExpirationPolicy.parse(type, value, "rule");
    }
}
