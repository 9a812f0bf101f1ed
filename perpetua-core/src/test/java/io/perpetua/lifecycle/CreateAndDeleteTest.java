package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.access.ProjectId;
import io.perpetua.error.ConflictException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.RecordingListener.Transition;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.store.Annotations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CreateAndDeleteTest {

    @TempDir
    Path snapshotRoot;

    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private Engine engine;
    private SandboxService service;

    @BeforeEach
    void startEngine() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
    }

    @AfterEach
    void stopRequests() {
        requests.shutdownNow();
    }

    private static void assertNotFound(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.code()).isEqualTo("sandbox_not_found"));
    }

    @Test
    void anAdaptersAnnotationsAreStoredWithTheSandboxBeforeItsContainerStarts() {
        engine.runtime.failNextStart(new RuntimeFailureException("no room (as told)"));
        assertThatThrownBy(() -> service.create(ProjectId.DEFAULT, SandboxSpec.defaults(), new Annotations("e2b", Map.of("k", "v"))))
                .isInstanceOf(RuntimeFailureException.class);

        SandboxId id = service.create(ProjectId.DEFAULT, SandboxSpec.defaults(), new Annotations("e2b", Map.of("endAt", "soon"))).id();

        assertThat(engine.store.annotations(id, "e2b")).isEqualTo(Map.of("endAt", "soon"));
        assertThat(engine.store.annotated("e2b")).hasSize(2).as("the failed creation's are kept with its deleted record");
    }

    @Test
    void createTakesASandboxTheRuntimeStartedAheadOfDemand() {
        SandboxId warm = SandboxId.random();
        engine.runtime.offerWarm(warm);

        Sandbox created = service.create(SandboxSpec.defaults());

        assertThat(created.id()).isEqualTo(warm);
        assertThat(created.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(engine.runtime.count("start")).isZero();
        assertThat(engine.store.find(warm)).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(SandboxState.RUNNING));
    }

    @Test
    void execGivesTheCommandTheSandboxEnvironmentUnderItsOwn() {
        SandboxId id = service.create(new SandboxSpec(null, null, null, Map.of("A", "sandbox", "B", "sandbox"), null, null, null)).id();

        service.exec(id, new ExecRequest(List.of("true"), null, Map.of("B", "request"), null, null));

        assertThat(engine.runtime.lastExec().env()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "sandbox", "B", "request"));
    }

    @Test
    void createStartsARunningSandboxWithTheServerDefaults() {
        Sandbox created = service.create(SandboxSpec.defaults());

        assertThat(created.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(created.generation()).isEqualTo(1);
        assertThat(created.spec()).as("the server's defaults, the product's limits")
                .isEqualTo(new SandboxSpec("default", Engine.IDLE, Engine.HIBERNATE_AFTER, null, null, 256, 1.0, 10240, 1024, 65536, null));
        assertThat(created.createdAt()).isEqualTo(Engine.START);
        assertThat(engine.runtime.status(created.container())).isEqualTo(ContainerStatus.RUNNING);
        assertThat(engine.store.row(created.id()).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(service.list()).containsExactly(created);
        assertThat(engine.listener.transitions).containsExactly(
                new Transition(created.id(), SandboxState.CREATING, SandboxState.RUNNING));
    }

    @Test
    void createKeepsWhatTheCallerChose() {
        SandboxSpec requested = new SandboxSpec("python", Duration.ofSeconds(5), null, Map.of("A", "1"), Map.of("team", "x"), null, 2.0);

        Sandbox created = service.create(requested);

        assertThat(created.spec()).isEqualTo(new SandboxSpec("python", Duration.ofSeconds(5), Engine.HIBERNATE_AFTER,
                Map.of("A", "1"), Map.of("team", "x"), 256, 2.0, 10240, 1024, 65536, null));
    }

    @Test
    void failedCreateLeavesNothingBehind() {
        RuntimeFailureException failure = new RuntimeFailureException("runsc create failed");
        engine.runtime.failNextStart(failure);

        assertThatThrownBy(() -> service.create(SandboxSpec.defaults())).isSameAs(failure);

        assertThat(service.list()).isEmpty();
        assertThat(engine.runtime.count("destroy")).isEqualTo(1);
        assertThat(engine.runtime.sandboxes()).isEmpty();
        assertThat(engine.runtime.containers()).isEmpty();
        assertThat(engine.store.listLive()).isEmpty();
    }

    @Test
    void listIsOldestFirst() {
        SandboxId first = service.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Duration.ofSeconds(1));
        SandboxId second = service.create(SandboxSpec.defaults()).id();

        assertThat(service.list()).extracting(Sandbox::id).containsExactly(first, second);
    }

    @Test
    void findOfAMalformedOrUnknownIdIsEmpty() {
        assertThat(service.find("not an id")).isEmpty();
        assertThat(service.find(null)).isEmpty();
        assertThat(service.find(SandboxId.random().value())).isEmpty();
    }

    @Test
    void deleteRemovesTheSandboxItsContainersAndItsSnapshot() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();
        service.hibernate(id);
        service.resume(id);

        service.delete(id);

        assertThat(service.list()).isEmpty();
        assertThat(engine.runtime.calls("destroy")).extracting(FakeRuntime.Call::target).containsExactly(id.value());
        assertThat(engine.runtime.sandboxes()).isEmpty();
        assertThat(engine.snapshots.sealedIds()).isEmpty();
        assertThat(engine.store.row(id).state()).isEqualTo(SandboxState.DELETED);
        assertThat(engine.listener.transitions).endsWith(new Transition(id, SandboxState.RUNNING, SandboxState.DELETED));
    }

    @Test
    void deletedSandboxIsNotFoundAnyMore() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();

        service.delete(id);

        assertNotFound(() -> service.get(id));
        assertNotFound(() -> service.exec(id, ExecRequest.of("true")));
        assertNotFound(() -> service.resume(id));
        assertNotFound(() -> service.standby(id));
        assertThat(service.find(id.value())).isEmpty();
    }

    @Test
    void deletingTwiceIsNotFound() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();
        service.delete(id);

        assertNotFound(() -> service.delete(id));
    }

    @Test
    void unknownSandboxIsNotFound() {
        SandboxId unknown = SandboxId.random();

        assertNotFound(() -> service.get(unknown));
        assertNotFound(() -> service.exec(unknown, ExecRequest.of("true")));
        assertNotFound(() -> service.delete(unknown));
    }

    @Test
    void aRequestRunningWhenItsSandboxIsDeletedEndsAsNotFound() throws Exception {
        SandboxId id = service.create(SandboxSpec.defaults()).id();
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();

        service.delete(id);
        gate.open();

        assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("sandbox_not_found"));
    }

    @Test
    void afterCloseTheEngineRefusesNewWork() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();

        service.close();

        assertThatThrownBy(() -> service.create(SandboxSpec.defaults()))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("shutting_down"));
        assertThatThrownBy(() -> service.exec(id, ExecRequest.of("true")))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo("shutting_down"));
    }

    @Test
    void closeWritesActivityNotYetInTheStore() {
        SandboxId id = service.create(SandboxSpec.defaults()).id();
        engine.clock.advance(Duration.ofSeconds(7));
        count(service, id);

        service.close();

        assertThat(engine.store.row(id).lastActivityAt()).isEqualTo(Engine.START.plusSeconds(7));
    }
}
