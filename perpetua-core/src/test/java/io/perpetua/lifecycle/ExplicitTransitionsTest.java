package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.ConflictException;
import io.perpetua.lifecycle.RecordingListener.Resume;
import io.perpetua.lifecycle.RecordingListener.Transition;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplicitTransitionsTest {

    @TempDir
    Path snapshotRoot;

    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
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

    @AfterEach
    void stopRequests() {
        requests.shutdownNow();
    }

    @Test
    void aNewNetworkPolicyIsAppliedAndStoredWithoutWakingTheSandbox() {
        service.standby(id);
        NetworkPolicy closed = new NetworkPolicy(List.of("10.1.0.0/16"), List.of("0.0.0.0/0"));

        Sandbox updated = service.updateNetwork(id, closed);

        assertThat(updated.state()).isEqualTo(SandboxState.STANDBY);
        assertThat(updated.spec().network()).isEqualTo(closed);
        assertThat(engine.store.find(id).orElseThrow().spec().network()).isEqualTo(closed);
        assertThat(engine.runtime.calls("applyNetworkPolicy")).last().extracting(FakeRuntime.Call::target)
                .isEqualTo(id + " [10.1.0.0/16] [0.0.0.0/0]");
        assertThat(engine.runtime.calls("thaw")).isEmpty();
    }

    @Test
    void standbyFreezesARunningSandboxAtOnce() {
        Sandbox standby = service.standby(id);

        assertThat(standby.state()).isEqualTo(SandboxState.STANDBY);
        assertThat(standby.stateChangedAt()).isEqualTo(Engine.START);
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.FROZEN);
    }

    @Test
    void standbyOfASandboxAlreadyAsleepChangesNothing() {
        service.standby(id);
        Sandbox again = service.standby(id);
        service.hibernate(id);
        Sandbox hibernated = service.standby(id);

        assertThat(again.state()).isEqualTo(SandboxState.STANDBY);
        assertThat(hibernated.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.count("freeze")).isEqualTo(1);
    }

    @Test
    void hibernateCheckpointsARunningSandboxAtOnce() {
        count(service, id);

        Sandbox hibernated = service.hibernate(id);

        assertThat(hibernated.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(hibernated.snapshot()).isNotNull();
        assertThat(engine.snapshots.sealedIds()).containsExactly(hibernated.snapshot().id());
        assertThat(engine.runtime.calls("checkpoint")).extracting(FakeRuntime.Call::target)
                .containsExactly(created.container().containerId());
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.STOPPED);
        assertThat(engine.store.row(id)).isEqualTo(hibernated);
        assertThat(engine.listener.checkpoints).containsExactly(
                new RecordingListener.Checkpoint(id, hibernated.snapshot().sizeBytes()));
        assertThat(engine.listener.transitions).contains(new Transition(id, SandboxState.RUNNING, SandboxState.HIBERNATED));
    }

    @Test
    void hibernateOfAStandbySandboxThawsItForTheCheckpoint() {
        service.standby(id);

        Sandbox hibernated = service.hibernate(id);

        assertThat(hibernated.state()).isEqualTo(SandboxState.HIBERNATED);
        assertThat(engine.runtime.count("thaw")).isEqualTo(1);
        assertThat(engine.runtime.count("checkpoint")).isEqualTo(1);
        assertThat(engine.listener.transitions).contains(new Transition(id, SandboxState.STANDBY, SandboxState.HIBERNATED));
    }

    @Test
    void hibernateOfAHibernatedSandboxDoesNothing() {
        Sandbox first = service.hibernate(id);
        int transitions = engine.listener.transitions.size();

        Sandbox second = service.hibernate(id);

        assertThat(second).isEqualTo(first);
        assertThat(engine.runtime.count("checkpoint")).isEqualTo(1);
        assertThat(engine.snapshots.sealedIds()).containsExactly(first.snapshot().id());
        assertThat(engine.listener.transitions).hasSize(transitions);
    }

    @Test
    void aNewHibernationReplacesThePreviousSnapshot() {
        String previous = service.hibernate(id).snapshot().id();
        service.resume(id);

        Sandbox again = service.hibernate(id);

        assertThat(again.snapshot().id()).isNotEqualTo(previous);
        assertThat(engine.snapshots.sealedIds()).containsExactly(again.snapshot().id());
        assertThat(engine.store.row(id).snapshot()).isEqualTo(again.snapshot());
    }

    @Test
    void resumeThawsAStandbySandbox() {
        service.standby(id);

        Sandbox resumed = service.resume(id);

        assertThat(resumed.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(resumed.generation()).isEqualTo(1);
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.RUNNING);
        assertThat(engine.listener.resumes).containsExactly(new Resume(id, SandboxState.STANDBY));
    }

    @Test
    void resumeRestoresAHibernatedSandboxIntoTheNextGeneration() {
        service.hibernate(id);

        Sandbox resumed = service.resume(id);

        assertThat(resumed.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(resumed.generation()).isEqualTo(2);
        assertThat(engine.runtime.status(created.container().next())).isEqualTo(ContainerStatus.RUNNING);
        assertThat(engine.listener.resumes).containsExactly(new Resume(id, SandboxState.HIBERNATED));
    }

    @Test
    void resumeOfARunningSandboxChangesNothingButTheActivity() {
        engine.clock.advance(Engine.IDLE.minusSeconds(1));

        Sandbox resumed = service.resume(id);

        assertThat(resumed.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(resumed.lastActivityAt()).isEqualTo(Engine.START.plus(Engine.IDLE.minusSeconds(1)));
        assertThat(engine.listener.resumes).isEmpty();
    }

    @Test
    void standbyWhileARequestIsRunningIsRefusedAsBusy() throws Exception {
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();

        assertThatThrownBy(() -> service.standby(id))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_busy"));
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);

        gate.open();
        assertThat(request.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("1");
        assertThat(engine.runtime.count("freeze")).isZero();
    }

    @Test
    void hibernateWhileARequestIsRunningIsRefusedAsBusy() throws Exception {
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();

        assertThatThrownBy(() -> service.hibernate(id))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("sandbox_busy"));

        gate.open();
        request.get(10, TimeUnit.SECONDS);
        assertThat(engine.runtime.count("checkpoint")).isZero();
        assertThat(engine.snapshots.draftIds()).isEmpty();
    }

    @Test
    void standbyIsAllowedAgainOnceTheRequestHasEnded() throws Exception {
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();
        gate.open();
        request.get(10, TimeUnit.SECONDS);

        assertThat(service.standby(id).state()).isEqualTo(SandboxState.STANDBY);
    }
}
