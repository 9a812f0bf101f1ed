package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.ConflictException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.RecordingListener.Transition;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureTest {

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;
    private SandboxId id;

    @BeforeEach
    void startOneSandbox() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
        id = service.create(SandboxSpec.defaults()).id();
    }

    /** Counts to 1, hibernates (the snapshot remembers 1), then counts to 2 in generation 2. */
    private Snapshot runningWithASnapshotOfOne() {
        count(service, id);
        Snapshot snapshot = service.hibernate(id).snapshot();
        count(service, id);
        return snapshot;
    }

    @Test
    void sandboxWhoseContainerDiedFailsOnItsNextRequestAndResumesFromItsSnapshot() {
        Snapshot previous = runningWithASnapshotOfOne();
        engine.runtime.loseContainers(id);

        assertThatThrownBy(() -> service.exec(id, ExecRequest.of("count"))).isInstanceOf(RuntimeFailureException.class);

        Sandbox failed = service.get(id);
        assertThat(failed.state()).isEqualTo(SandboxState.FAILED);
        assertThat(failed.failureReason()).contains("stopped unexpectedly");
        assertThat(failed.snapshot()).isEqualTo(previous);
        assertThat(count(service, id)).as("restored from the snapshot holding 1").isEqualTo(2);
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
    }

    @Test
    void failedCheckpointLeavesARunningSandboxRunningWithItsPreviousSnapshot() {
        Snapshot previous = runningWithASnapshotOfOne();
        engine.runtime.failNextCheckpoint(ContainerStatus.RUNNING);

        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        Sandbox after = service.get(id);
        assertThat(after.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(after.snapshot()).isEqualTo(previous);
        assertThat(engine.store.row(id).snapshot()).isEqualTo(previous);
        assertThat(engine.snapshots.sealedIds()).containsExactly(previous.id());
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(count(service, id)).isEqualTo(3);
    }

    @Test
    void failedCheckpointLeavesAStandbySandboxFrozenInStandbyWithItsPreviousSnapshot() {
        Snapshot previous = runningWithASnapshotOfOne();
        engine.clock.advance(Engine.IDLE);
        service.tick();
        engine.runtime.failNextCheckpoint(ContainerStatus.RUNNING);

        engine.clock.advance(Engine.HIBERNATE_AFTER);
        service.tick();

        Sandbox after = service.get(id);
        assertThat(after.state()).isEqualTo(SandboxState.STANDBY);
        assertThat(after.snapshot()).isEqualTo(previous);
        assertThat(engine.runtime.status(after.container())).isEqualTo(ContainerStatus.FROZEN);
        assertThat(engine.snapshots.sealedIds()).containsExactly(previous.id());
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(count(service, id)).isEqualTo(3);
    }

    @Test
    void failedBackgroundHibernationIsRetriedAfterABackoff() {
        engine.clock.advance(Engine.IDLE);
        service.tick();
        engine.runtime.failNextCheckpoint(ContainerStatus.RUNNING);
        engine.clock.advance(Engine.HIBERNATE_AFTER);
        service.tick();

        service.tick();
        assertThat(engine.runtime.count("checkpoint")).as("no retry before the backoff").isEqualTo(1);
        engine.clock.advance(IdleTimers.RETRY_BACKOFF);
        service.tick();

        assertThat(service.get(id).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.count("checkpoint")).isEqualTo(2);
    }

    @Test
    void checkpointThatStopsTheContainerFailsTheSandboxAndKeepsThePreviousSnapshot() {
        Snapshot previous = runningWithASnapshotOfOne();
        ContainerRef container = service.get(id).container();
        engine.runtime.failNextCheckpoint(ContainerStatus.STOPPED);

        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        Sandbox failed = service.get(id);
        assertThat(failed.state()).isEqualTo(SandboxState.FAILED);
        assertThat(failed.failureReason()).contains("checkpoint failed");
        assertThat(failed.snapshot()).isEqualTo(previous);
        assertThat(engine.store.row(id)).isEqualTo(failed);
        assertThat(engine.snapshots.sealedIds()).containsExactly(previous.id());
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(engine.runtime.status(container)).isEqualTo(ContainerStatus.MISSING);
        assertThat(engine.listener.transitions).endsWith(new Transition(id, SandboxState.RUNNING, SandboxState.FAILED));
    }

    @Test
    void sandboxFailedByACheckpointResumesFromItsLastGoodSnapshot() {
        runningWithASnapshotOfOne();
        engine.runtime.failNextCheckpoint(ContainerStatus.STOPPED);
        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        assertThat(count(service, id)).isEqualTo(2);

        Sandbox resumed = service.get(id);
        assertThat(resumed.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(resumed.failureReason()).isNull();
        assertThat(resumed.generation()).isEqualTo(3);
    }

    @Test
    void checkpointThatCannotBeSealedFailsTheSandboxAndKeepsThePreviousSnapshot() {
        Snapshot previous = runningWithASnapshotOfOne();
        engine.snapshots.failNextCommit();

        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        Sandbox failed = service.get(id);
        assertThat(failed.state()).isEqualTo(SandboxState.FAILED);
        assertThat(failed.snapshot()).isEqualTo(previous);
        assertThat(engine.snapshots.sealedIds()).containsExactly(previous.id());
        assertThat(count(service, id)).isEqualTo(2);
    }

    @Test
    void failedRestoreFailsTheSandboxAndKeepsItsSnapshot() {
        count(service, id);
        Snapshot snapshot = service.hibernate(id).snapshot();
        engine.runtime.failNextRestore();

        assertThatThrownBy(() -> count(service, id)).isInstanceOf(RuntimeFailureException.class);

        Sandbox failed = service.get(id);
        assertThat(failed.state()).isEqualTo(SandboxState.FAILED);
        assertThat(failed.failureReason()).contains("restore");
        assertThat(failed.snapshot()).isEqualTo(snapshot);
        assertThat(engine.store.row(id)).isEqualTo(failed);
        assertThat(engine.snapshots.sealedIds()).containsExactly(snapshot.id());
        assertThat(engine.runtime.status(new ContainerRef(id, 2))).isEqualTo(ContainerStatus.MISSING);
    }

    @Test
    void nextRequestAfterAFailedRestoreRetriesIt() {
        count(service, id);
        service.hibernate(id);
        engine.runtime.failNextRestore();
        assertThatThrownBy(() -> count(service, id)).isInstanceOf(RuntimeFailureException.class);

        assertThat(count(service, id)).isEqualTo(2);

        assertThat(engine.runtime.count("restore")).isEqualTo(2);
        assertThat(engine.listener.resumes).containsExactly(new RecordingListener.Resume(id, SandboxState.HIBERNATED));
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(service.get(id).failureReason()).isNull();
    }

    @Test
    void damagedSnapshotFailsTheSandboxInsteadOfBeingRestored() {
        Snapshot snapshot = service.hibernate(id).snapshot();
        engine.snapshots.damage(snapshot);

        assertThatThrownBy(() -> count(service, id))
                .isInstanceOfSatisfying(RuntimeFailureException.class, e -> assertThat(e.code()).isEqualTo("snapshot_corrupt"));

        assertThat(service.get(id).state()).isEqualTo(SandboxState.FAILED);
        assertThat(engine.runtime.count("restore")).isZero();
    }

    @Test
    void failedSandboxWithoutASnapshotRefusesRequests() {
        engine.runtime.failNextCheckpoint(ContainerStatus.STOPPED);
        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        assertThatThrownBy(() -> service.exec(id, ExecRequest.of("true")))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_failed"));
    }

    @Test
    void failedSandboxCannotBePutToSleep() {
        engine.runtime.failNextCheckpoint(ContainerStatus.STOPPED);
        assertThatThrownBy(() -> service.hibernate(id)).isInstanceOf(RuntimeFailureException.class);

        assertThatThrownBy(() -> service.standby(id))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_failed"));
        assertThatThrownBy(() -> service.hibernate(id))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_failed"));
    }
}
