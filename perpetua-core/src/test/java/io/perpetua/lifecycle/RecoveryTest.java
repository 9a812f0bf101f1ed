package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.ConflictException;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new engine over the store, runtime and snapshots an earlier one left behind. */
class RecoveryTest {

    @TempDir
    Path snapshotRoot;

    private Engine engine;

    @BeforeEach
    void fakes() {
        engine = new Engine(snapshotRoot);
    }

    @Test
    void runningContainerIsReadoptedAsRunningWithItsMemory() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        count(before, id);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(count(after, id)).isEqualTo(2);
        assertThat(engine.runtime.count("start")).isEqualTo(1);
        assertThat(engine.runtime.count("restore")).isZero();
    }

    @Test
    void readoptedRunningSandboxGetsAFullIdleWindowFromTheRestart() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Duration.ofHours(1));

        SandboxService after = engine.start();
        after.tick();
        assertThat(after.get(id).state()).isEqualTo(SandboxState.RUNNING);

        engine.clock.advance(Engine.IDLE);
        after.tick();
        assertThat(after.get(id).state()).isEqualTo(SandboxState.STANDBY);
    }

    @Test
    void frozenContainerIsReadoptedAsStandbyEvenIfTheStoreStillSaysRunning() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        Sandbox running = engine.store.row(id);
        before.standby(id);
        engine.store.update(running);                  // as a crash between the freeze and its record leaves it

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.store.row(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(engine.runtime.count("thaw")).isZero();
    }

    @Test
    void runningContainerOfASandboxStoredInStandbyIsReadoptedAsRunning() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Engine.IDLE);
        before.tick();
        before.resume(id);
        assertThat(engine.store.row(id).state()).isEqualTo(SandboxState.STANDBY);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.RUNNING);
    }

    @Test
    void sandboxWhoseContainerIsGoneFallsBackToItsSnapshot() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        count(before, id);
        Snapshot snapshot = before.hibernate(id).snapshot();
        count(before, id);
        engine.runtime.loseContainers(id);

        SandboxService after = engine.start();

        Sandbox recovered = after.get(id);
        assertThat(recovered.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(recovered.snapshot()).isEqualTo(snapshot);
        assertThat(engine.store.row(id)).isEqualTo(recovered);
        assertThat(count(after, id)).isEqualTo(2);
        assertThat(after.get(id).generation()).isEqualTo(3);
    }

    @Test
    void aStoppedContainerCountsAsGone() {
        SandboxId id = SandboxId.random();
        Snapshot snapshot = engine.snapshots.seal(id, 3);
        engine.store.insert(Engine.stored(id, SandboxState.RUNNING, 2, snapshot));
        engine.runtime.put(new ContainerRef(id, 2), ContainerStatus.STOPPED, 0);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.containers()).isEmpty();
    }

    @Test
    void sandboxWhoseContainerIsGoneWithoutASnapshotFails() {
        SandboxService before = engine.start();
        SandboxId id = before.create(SandboxSpec.defaults()).id();
        engine.runtime.loseContainers(id);

        SandboxService after = engine.start();

        Sandbox recovered = after.get(id);
        assertThat(recovered.state()).isEqualTo(SandboxState.FAILED);
        assertThat(recovered.failureReason()).isNotBlank();
        assertThat(engine.store.row(id)).isEqualTo(recovered);
        assertThatThrownBy(() -> after.exec(id, ExecRequest.of("true")))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_failed"));
    }

    @Test
    void hibernatedSandboxStaysHibernatedAndItsStoppedContainerIsRemoved() {
        SandboxService before = engine.start();
        Sandbox created = before.create(SandboxSpec.defaults());
        Snapshot snapshot = before.hibernate(created.id()).snapshot();

        SandboxService after = engine.start();

        assertThat(after.get(created.id()).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.MISSING);
        assertThat(engine.snapshots.sealedIds()).containsExactly(snapshot.id());
    }

    @Test
    void sandboxStoredAsCreatingIsDeleted() {
        SandboxId id = SandboxId.random();
        engine.store.insert(Engine.stored(id, SandboxState.CREATING, 1, null));
        engine.runtime.addFiles(id);

        SandboxService after = engine.start();

        assertThat(after.list()).isEmpty();
        assertThat(after.find(id.value())).isEmpty();
        assertThat(engine.store.row(id).state()).isEqualTo(SandboxState.DELETED);
        assertThat(engine.runtime.sandboxes()).doesNotContain(id);
    }

    @Test
    void containersAndSandboxesTheStoreDoesNotKnowAsLiveAreDestroyed() {
        SandboxId strangerWithContainer = SandboxId.random();
        SandboxId strangerWithFiles = SandboxId.random();
        SandboxId deleted = SandboxId.random();
        engine.runtime.put(new ContainerRef(strangerWithContainer, 1), ContainerStatus.RUNNING, 0);
        engine.runtime.addFiles(strangerWithFiles);
        engine.store.insert(Engine.stored(deleted, SandboxState.DELETED, 1, null));
        engine.runtime.put(new ContainerRef(deleted, 1), ContainerStatus.FROZEN, 0);

        SandboxService after = engine.start();

        assertThat(after.list()).isEmpty();
        assertThat(engine.runtime.sandboxes()).isEmpty();
        assertThat(engine.runtime.calls("destroy")).extracting(FakeRuntime.Call::target)
                .containsExactlyInAnyOrder(strangerWithContainer.value(), strangerWithFiles.value(), deleted.value());
    }

    @Test
    void staleSnapshotsAndLeftoverDraftsAreSwept() {
        SandboxId id = SandboxId.random();
        Snapshot replaced = engine.snapshots.seal(id, 1);
        Snapshot live = engine.snapshots.seal(id, 2);
        Snapshot ofNobody = engine.snapshots.seal(SandboxId.random(), 3);
        engine.snapshots.leaveDraft(id);
        engine.store.insert(Engine.stored(id, SandboxState.HIBERNATED, 1, live));

        engine.start();

        assertThat(engine.snapshots.sealedIds()).containsExactly(live.id())
                .doesNotContain(replaced.id(), ofNobody.id());
        assertThat(engine.snapshots.draftIds()).isEmpty();
    }

    @Test
    void snapshotOfAFailedSandboxIsKept() {
        SandboxId id = SandboxId.random();
        Snapshot snapshot = engine.snapshots.seal(id, 4);
        engine.store.insert(Engine.stored(id, SandboxState.FAILED, 2, snapshot));

        SandboxService after = engine.start();

        assertThat(engine.snapshots.sealedIds()).containsExactly(snapshot.id());
        assertThat(count(after, id)).isEqualTo(5);
    }

    @Test
    void theNewestLiveGenerationWins() {
        SandboxId id = SandboxId.random();
        Snapshot snapshot = engine.snapshots.seal(id, 1);
        engine.store.insert(Engine.stored(id, SandboxState.HIBERNATED, 1, snapshot));
        engine.runtime.put(new ContainerRef(id, 1), ContainerStatus.STOPPED, 1);
        engine.runtime.put(new ContainerRef(id, 2), ContainerStatus.RUNNING, 7);

        SandboxService after = engine.start();

        Sandbox recovered = after.get(id);
        assertThat(recovered.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(recovered.generation()).isEqualTo(2);
        assertThat(engine.store.row(id)).isEqualTo(recovered);
        assertThat(engine.runtime.containers()).containsExactly(new ContainerRef(id, 2));
        assertThat(count(after, id)).isEqualTo(8);
    }

    @Test
    void aNewerStoppedContainerDoesNotHideTheLiveOne() {
        SandboxId id = SandboxId.random();
        engine.store.insert(Engine.stored(id, SandboxState.RUNNING, 2, null));
        engine.runtime.put(new ContainerRef(id, 2), ContainerStatus.RUNNING, 5);
        engine.runtime.put(new ContainerRef(id, 3), ContainerStatus.STOPPED, 0);

        SandboxService after = engine.start();

        assertThat(after.get(id).generation()).isEqualTo(2);
        assertThat(engine.runtime.containers()).containsExactly(new ContainerRef(id, 2));
        assertThat(count(after, id)).isEqualTo(6);
    }

    @Test
    void containersOlderThanTheStoredGenerationAreRemovedNotAdopted() {
        SandboxId id = SandboxId.random();
        Snapshot snapshot = engine.snapshots.seal(id, 9);
        engine.store.insert(Engine.stored(id, SandboxState.RUNNING, 3, snapshot));
        engine.runtime.put(new ContainerRef(id, 2), ContainerStatus.RUNNING, 1);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.containers()).isEmpty();
        assertThat(count(after, id)).isEqualTo(10);
        assertThat(after.get(id).generation()).isEqualTo(4);
    }
}
