package io.perpetua.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryPressureTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;

    private void start(long minAvailableMemory) {
        engine = new Engine(snapshotRoot).minAvailableMemory(minAvailableMemory);
        service = engine.start();
    }

    /** A sandbox put to standby by hand now, then the clock moves a minute on. */
    private SandboxId asleepNow() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();
        service.standby(id);
        engine.clock.advance(Duration.ofMinutes(1));
        return id;
    }

    private SandboxState stateOf(SandboxId id) {
        return service.get(id).state();
    }

    @Test
    void whenMemoryIsShortEachTickHibernatesTheSandboxLongestInStandby() {
        start(GIB);
        SandboxId first = asleepNow();
        SandboxId second = asleepNow();
        SandboxId third = asleepNow();
        engine.availableMemory.set(GIB - 1);

        service.tick();
        assertThat(stateOf(first)).isEqualTo(SandboxState.HIBERNATED);
        assertThat(stateOf(second)).isEqualTo(SandboxState.STANDBY);
        assertThat(stateOf(third)).isEqualTo(SandboxState.STANDBY);

        service.tick();
        assertThat(stateOf(second)).isEqualTo(SandboxState.HIBERNATED);
        assertThat(stateOf(third)).isEqualTo(SandboxState.STANDBY);

        service.tick();
        assertThat(stateOf(third)).isEqualTo(SandboxState.HIBERNATED);
        assertThat(service.get(third).snapshot()).isNotNull();
    }

    @Test
    void orderFollowsTimeInStandbyNotCreation() {
        start(GIB);
        SandboxId older = service.create(SandboxSpec.defaults()).id();
        SandboxId newer = asleepNow();
        service.standby(older);
        engine.availableMemory.set(0);

        service.tick();

        assertThat(stateOf(newer)).isEqualTo(SandboxState.HIBERNATED);
        assertThat(stateOf(older)).isEqualTo(SandboxState.STANDBY);
    }

    @Test
    void withEnoughMemoryStandbySandboxesStayInStandby() {
        start(GIB);
        SandboxId id = asleepNow();
        engine.availableMemory.set(GIB);

        service.tick();

        assertThat(stateOf(id)).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.count("checkpoint")).isZero();
    }

    @Test
    void runningSandboxesAreNotHibernatedForMemory() {
        start(GIB);
        Sandbox running = service.create(SandboxSpec.defaults());
        engine.availableMemory.set(0);

        service.tick();
        service.tick();

        assertThat(stateOf(running.id())).isEqualTo(SandboxState.RUNNING);
        assertThat(engine.runtime.count("checkpoint")).isZero();
    }

    @Test
    void aZeroThresholdTurnsTheCheckOff() {
        start(0);
        SandboxId id = asleepNow();
        engine.availableMemory.set(0);

        service.tick();

        assertThat(stateOf(id)).isEqualTo(SandboxState.STANDBY);
    }
}
