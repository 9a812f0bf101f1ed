package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {

    @TempDir
    Path snapshotRoot;

    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private Engine engine;
    private SandboxService service;
    private SandboxId id;

    @BeforeEach
    void startOneSandbox() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
        id = service.create(SandboxSpec.defaults()).id();
    }

    @AfterEach
    void stopRequests() {
        requests.shutdownNow();
    }

    @Test
    void aRequestInFlightKeepsTheSandboxAwakeHoweverMuchTimePasses() throws Exception {
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();

        for (int day = 0; day < 3; day++) {
            engine.clock.advance(Duration.ofDays(1));
            service.tick();
            service.tick();
        }

        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);
        assertThat(engine.runtime.count("freeze")).isZero();
        assertThat(engine.runtime.count("checkpoint")).isZero();
        gate.open();
        assertThat(request.get(10, TimeUnit.SECONDS).stdout()).isEqualTo("1");
    }

    @Test
    void theIdleWindowStartsWhenTheLastRequestEnds() throws Exception {
        FakeRuntime.Gate gate = engine.runtime.blockNextExec();
        CompletableFuture<ExecResult> request = CompletableFuture.supplyAsync(() -> service.exec(id, ExecRequest.of("count")), requests);
        gate.awaitArrival();
        engine.clock.advance(Duration.ofHours(1));
        gate.open();
        request.get(10, TimeUnit.SECONDS);

        engine.clock.advance(Engine.IDLE.minusNanos(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.RUNNING);

        engine.clock.advance(Duration.ofNanos(1));
        service.tick();
        assertThat(service.get(id).state()).isEqualTo(SandboxState.STANDBY);
    }

    @Test
    void concurrentRequestsOnAHibernatedSandboxShareOneRestore() throws Exception {
        count(service, id);
        service.hibernate(id);
        FakeRuntime.Gate restore = engine.runtime.blockNextRestore();
        Queue<Long> seen = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().name("request-" + i).start(() -> seen.add(count(service, id))));
        }

        restore.awaitArrival();
        await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().allMatch(ConcurrencyTest::isParked));
        restore.open();
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(seen).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(engine.runtime.count("restore")).isEqualTo(1);
        Sandbox restored = service.get(id);
        assertThat(restored.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(restored.generation()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsOnAStandbySandboxShareOneThaw() throws Exception {
        service.standby(id);
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(CompletableFuture.supplyAsync(() -> count(service, id), requests));
        }

        CompletableFuture.allOf(all.toArray(CompletableFuture<?>[]::new)).get(10, TimeUnit.SECONDS);

        assertThat(all).extracting(CompletableFuture::join).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(engine.runtime.count("thaw")).isEqualTo(1);
    }

    /** Waiting for the restore to be let through, or for the sandbox's lock. */
    private static boolean isParked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }
}
