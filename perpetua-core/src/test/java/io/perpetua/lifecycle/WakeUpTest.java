package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.lifecycle.RecordingListener.Resume;
import io.perpetua.lifecycle.RecordingListener.Transition;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WakeUpTest {

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;
    private Sandbox created;
    private SandboxId id;

    @BeforeEach
    void startOneSandboxThatCountedToTwo() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
        created = service.create(SandboxSpec.defaults());
        id = created.id();
        count(service, id);
        count(service, id);
    }

    @Test
    void streamingACommandWakesAHibernatedSandboxAndEndsTheCommandAfterwards() throws Exception {
        service.hibernate(id);

        String output = service.stream(id, ExecRequest.of("cat"), command -> {
            try {
                return new String(command.stdout().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        assertThat(output).isEqualTo("2");
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(engine.runtime.count("closeSpawned")).isEqualTo(1);
    }

    @Test
    void execOnAStandbySandboxThawsItWithItsMemory() {
        engine.clock.advance(Engine.IDLE);
        service.tick();

        assertThat(count(service, id)).isEqualTo(3);
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(service.get(id).generation()).isEqualTo(1);
        assertThat(engine.runtime.count("thaw")).isEqualTo(1);
        assertThat(engine.runtime.count("restore")).isZero();
        assertThat(engine.listener.resumes).containsExactly(new Resume(id, SandboxState.STANDBY));
        assertThat(engine.listener.transitions).endsWith(new Transition(id, SandboxState.STANDBY, SandboxState.RUNNING));
    }

    @Test
    void execOnAHibernatedSandboxRestoresItIntoTheNextGenerationWithItsMemory() {
        Sandbox hibernated = service.hibernate(id);

        assertThat(count(service, id)).isEqualTo(3);

        Sandbox restored = service.get(id);
        assertThat(restored.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(restored.generation()).isEqualTo(2);
        assertThat(restored.snapshot()).isEqualTo(hibernated.snapshot());
        assertThat(engine.runtime.calls("restore")).extracting(FakeRuntime.Call::target)
                .containsExactly(created.container().next().containerId());
        assertThat(engine.runtime.status(created.container().next())).isEqualTo(ContainerStatus.RUNNING);
        assertThat(engine.listener.resumes).containsExactly(new Resume(id, SandboxState.HIBERNATED));
    }

    @Test
    void restoreIsWrittenToTheStoreBeforeTheRequestRuns() {
        service.hibernate(id);

        count(service, id);

        Sandbox stored = engine.store.row(id);
        assertThat(stored.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(stored.generation()).isEqualTo(2);
    }

    @Test
    void memorySurvivesRepeatedHibernations() {
        for (int round = 0; round < 3; round++) {
            service.hibernate(id);
            count(service, id);
        }

        assertThat(count(service, id)).isEqualTo(6);
        assertThat(service.get(id).generation()).isEqualTo(4);
        assertThat(engine.snapshots.sealedIds()).containsExactly(service.get(id).snapshot().id());
    }

    @Test
    void execOnAStandbySandboxPendingHibernationWakesItInstead() {
        engine.clock.advance(Engine.IDLE);
        service.tick();
        engine.clock.advance(Engine.HIBERNATE_AFTER.minusSeconds(1));

        assertThat(count(service, id)).isEqualTo(3);
        engine.clock.advance(Engine.HIBERNATE_AFTER);
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.count("checkpoint")).isZero();
    }
}
