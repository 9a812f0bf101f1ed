package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.HIBERNATE_AFTER;
import static io.perpetua.lifecycle.Engine.IDLE;
import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.lifecycle.RecordingListener.Transition;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdleTimersTest {

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;
    private Sandbox created;
    private SandboxId id;

    @BeforeEach
    void startOneSandbox() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
        created = service.create(SandboxSpec.defaults());
        id = created.id();
    }

    @Test
    void sandboxStaysRunningUntilItsIdleWindowHasFullyPassed() {
        engine.clock.advance(IDLE.minusNanos(1));
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(engine.runtime.count("freeze")).isZero();
    }

    @Test
    void idleSandboxGoesToStandbyAndKeepsItsMemory() {
        count(service, id);
        count(service, id);

        engine.clock.advance(IDLE);
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.FROZEN);
        assertThat(engine.runtime.memoryOf(created.container())).isEqualTo(2);
        assertThat(engine.listener.transitions).contains(new Transition(id, SandboxState.RUNNING, SandboxState.STANDBY));
    }

    @Test
    void tickWritesTheStandbyToTheStore() {
        engine.clock.advance(IDLE);
        service.tick();

        assertThat(engine.store.row(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.store.row(id).stateChangedAt()).isEqualTo(Engine.START.plus(IDLE));
    }

    @Test
    void execCountsAsActivityAndRestartsTheIdleWindow() {
        engine.clock.advance(IDLE.minusSeconds(1));
        count(service, id);
        engine.clock.advance(IDLE.minusSeconds(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);

        engine.clock.advance(Duration.ofSeconds(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
    }

    @Test
    void resumeCountsAsActivityAndRestartsTheIdleWindow() {
        engine.clock.advance(IDLE.minusSeconds(1));
        service.resume(id);
        engine.clock.advance(IDLE.minusSeconds(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);

        engine.clock.advance(Duration.ofSeconds(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
    }

    @Test
    void readingMetadataIsNotActivity() {
        engine.clock.advance(IDLE.minusSeconds(1));
        service.get(id);
        service.list();
        service.find(id.value());

        engine.clock.advance(Duration.ofSeconds(1));
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(service.get(id).lastActivityAt()).isEqualTo(Engine.START);
    }

    @Test
    void readingAStandbySandboxDoesNotThawIt() {
        engine.clock.advance(IDLE);
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(service.list()).extracting(Sandbox::state).containsExactly(SandboxState.STANDBY);
        assertThat(service.find(id.value())).get().extracting(Sandbox::state).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.count("thaw")).isZero();
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.FROZEN);
    }

    @Test
    void readingAHibernatedSandboxDoesNotRestoreIt() {
        service.hibernate(id);

        assertThat(service.get(id).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(service.list()).extracting(Sandbox::state).containsExactly(SandboxState.HIBERNATED);
        assertThat(engine.runtime.count("restore")).isZero();
    }

    @Test
    void sandboxStaysInStandbyUntilHibernateAfterHasFullyPassed() {
        engine.clock.advance(IDLE);
        service.tick();

        engine.clock.advance(HIBERNATE_AFTER.minusNanos(1));
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.count("checkpoint")).isZero();
    }

    @Test
    void sandboxLongEnoughInStandbyIsHibernatedWithASnapshot() {
        engine.clock.advance(IDLE);
        service.tick();

        engine.clock.advance(HIBERNATE_AFTER);
        service.tick();

        Sandbox hibernated = service.get(id);
        assertThat(hibernated.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(hibernated.snapshot()).isNotNull();
        assertThat(engine.snapshots.sealedIds()).containsExactly(hibernated.snapshot().id());
        assertThat(engine.runtime.calls("checkpoint")).extracting(FakeRuntime.Call::target)
                .containsExactly(created.container().containerId());
        assertThat(engine.store.row(id)).isEqualTo(hibernated);
        assertThat(engine.listener.transitions).contains(new Transition(id, SandboxState.STANDBY, SandboxState.HIBERNATED));
    }

    @Test
    void hibernationStoresWhatTheSandboxHadInMemory() {
        count(service, id);
        count(service, id);
        count(service, id);
        engine.clock.advance(IDLE);
        service.tick();
        engine.clock.advance(HIBERNATE_AFTER);
        service.tick();

        assertThat(count(service, id)).isEqualTo(4);
    }
}
