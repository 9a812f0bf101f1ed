package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.START;
import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.metering.StateChange;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import io.perpetua.snapshot.SnapshotDraft;
import io.perpetua.store.PendingOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart after the daemon died in the middle of a recorded operation, each test arranging
 * store, runtime and snapshots as the crash left them: the sandbox comes back exactly as it was
 * before the operation or exactly as after it, never lost. (CrashPointsIT walks the same points
 * with a real daemon halted at each.)
 */
class InterruptedOperationsTest {

    private static final Instant BEGUN = START.plusSeconds(100);

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxId id;
    private Snapshot previous;

    @BeforeEach
    void aSandboxHibernatedOnceWithMemoryThree() {
        engine = new Engine(snapshotRoot);
        id = SandboxId.random();
        previous = engine.snapshots.seal(id, 3);
        engine.clock.advance(Duration.between(START, BEGUN.plusSeconds(5)));
    }

    private void storedInStandby() {
        engine.store.insert(Engine.stored(id, SandboxState.STANDBY, 1, previous));
    }

    private SnapshotDraft hibernationBegun() {
        SnapshotDraft draft = engine.snapshots.begin(id);
        engine.store.begin(hibernationInto(draft));
        return draft;
    }

    private PendingOperation hibernationInto(SnapshotDraft draft) {
        return new PendingOperation(id, PendingOperation.Kind.HIBERNATE, SandboxState.STANDBY, draft.id(), BEGUN);
    }

    @Test
    void aCheckpointThatCompletedIsSealedAndReplacesThePreviousSnapshot() {
        storedInStandby();
        SnapshotDraft draft = hibernationBegun();
        FakeRuntime.writeImage(draft.directory(), 7);
        engine.runtime.put(new ContainerRef(id, 1), ContainerStatus.STOPPED, 0);

        SandboxService after = engine.start();

        Sandbox recovered = after.get(id);
        assertThat(recovered.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(recovered.snapshot().id()).isEqualTo(draft.id());
        assertThat(engine.store.row(id)).isEqualTo(recovered);
        assertThat(engine.snapshots.sealedIds()).containsExactly(draft.id());
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(engine.store.pendingOperations()).isEmpty();
        assertThat(count(after, id)).as("the memory of the checkpoint, not of the previous snapshot").isEqualTo(8);
    }

    @Test
    void aSnapshotSealedButNotRecordedIsRecorded() {
        storedInStandby();
        SnapshotDraft draft = hibernationBegun();
        FakeRuntime.writeImage(draft.directory(), 7);
        engine.snapshots.commit(draft);

        SandboxService after = engine.start();

        assertThat(after.get(id).snapshot().id()).isEqualTo(draft.id());
        assertThat(engine.snapshots.sealedIds()).containsExactly(draft.id());
        assertThat(count(after, id)).isEqualTo(8);
    }

    @Test
    void aHibernationRecordedBeforeTheSupersededSnapshotWasDeletedKeepsOnlyTheNewOne() {
        SnapshotDraft draft = engine.snapshots.begin(id);
        FakeRuntime.writeImage(draft.directory(), 7);
        Snapshot sealed = engine.snapshots.commit(draft);
        engine.store.insert(Engine.stored(id, SandboxState.HIBERNATED, 1, sealed));
        engine.store.begin(hibernationInto(draft));

        SandboxService after = engine.start();

        assertThat(after.get(id).snapshot()).isEqualTo(sealed);
        assertThat(engine.snapshots.sealedIds()).containsExactly(sealed.id());
        assertThat(engine.store.pendingOperations()).isEmpty();
    }

    @Test
    void aHibernationThatDidNotCheckpointLeavesTheSandboxInStandbyAsItWas() {
        storedInStandby();
        hibernationBegun();
        engine.runtime.put(new ContainerRef(id, 1), ContainerStatus.RUNNING, 5);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.STANDBY);
        assertThat(after.get(id).snapshot()).isEqualTo(previous);
        assertThat(engine.runtime.status(new ContainerRef(id, 1))).as("frozen again").isEqualTo(ContainerStatus.FROZEN);
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(engine.snapshots.sealedIds()).containsExactly(previous.id());
        assertThat(count(after, id)).as("the container's own memory").isEqualTo(6);
    }

    @Test
    void anIncompleteCheckpointOfAContainerThatDiedFallsBackToThePreviousSnapshot() {
        storedInStandby();
        hibernationBegun();
        engine.runtime.put(new ContainerRef(id, 1), ContainerStatus.STOPPED, 0);

        SandboxService after = engine.start();

        assertThat(after.get(id).state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(after.get(id).snapshot()).isEqualTo(previous);
        assertThat(engine.snapshots.draftIds()).isEmpty();
        assertThat(count(after, id)).isEqualTo(4);
    }

    @Test
    void aDeletionThatHadBegunIsFinishedAndBilledUntilItWasAskedFor() {
        SandboxService before = engine.start();
        SandboxId created = before.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Duration.ofSeconds(20));
        Sandbox hibernated = before.hibernate(created);
        Instant asked = engine.clock.instant().plusSeconds(10);
        engine.store.begin(new PendingOperation(created, PendingOperation.Kind.DELETE, SandboxState.HIBERNATED, null, asked));
        engine.clock.advance(Duration.ofMinutes(3));

        SandboxService after = engine.start();

        assertThat(after.find(created.value())).isEmpty();
        assertThat(engine.store.row(created).state()).isEqualTo(SandboxState.DELETED);
        assertThat(engine.store.row(created).stateChangedAt()).isEqualTo(asked);
        assertThat(engine.runtime.sandboxes()).doesNotContain(created);
        assertThat(engine.snapshots.sealedIds()).doesNotContain(hibernated.snapshot().id());
        assertThat(engine.store.pendingOperations()).isEmpty();
        assertThat(engine.ledger.changesOf(created)).last().extracting(StateChange::state, StateChange::at)
                .containsExactly(SandboxState.DELETED, asked);
    }

    @Test
    void aStandbyTheLedgerMissedIsBilledFromWhenItHappened() {
        SandboxService before = engine.start();
        SandboxId created = before.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Engine.IDLE);
        Instant asleep = engine.clock.instant();
        before.tick();
        engine.ledger.dropLast();
        engine.clock.advance(Duration.ofMinutes(1));

        engine.start();

        assertThat(engine.ledger.changesOf(created)).last().extracting(StateChange::state, StateChange::at)
                .containsExactly(SandboxState.STANDBY, asleep);
    }
}
