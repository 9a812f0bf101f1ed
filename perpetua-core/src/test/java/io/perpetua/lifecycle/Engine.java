package io.perpetua.lifecycle;

import io.perpetua.access.ProjectId;
import io.perpetua.events.EventFeed;
import io.perpetua.metering.InMemoryLedger;
import io.perpetua.metering.Metering;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything a {@link SandboxService} runs on, faked: a runtime, a store, snapshots in a
 * temporary directory, a clock that moves only when told and host memory that reads as the
 * test sets it. {@link #start()} builds an engine over them; calling it again is a restart.
 */
final class Engine {

    static final Duration IDLE = Duration.ofSeconds(30);
    static final Duration HIBERNATE_AFTER = Duration.ofMinutes(5);
    static final Instant START = Instant.parse("2026-01-05T10:00:00Z");

    final MutableClock clock = new MutableClock(START);
    final FakeRuntime runtime = new FakeRuntime();
    final InMemoryStore store = new InMemoryStore();
    final DirectorySnapshotStore snapshots;
    final RecordingListener listener = new RecordingListener();
    final InMemoryLedger ledger = new InMemoryLedger();
    final EventFeed events = new EventFeed();
    /** Bytes each sandbox's own files hold on disk, as the runtime would measure them. */
    long diskBytes = 1_000_000;
    final AtomicLong availableMemory = new AtomicLong(Long.MAX_VALUE);
    private long minAvailableMemory;
    private ProjectQuota quota = ProjectQuota.UNLIMITED;

    Engine(Path snapshotRoot) {
        this.snapshots = new DirectorySnapshotStore(snapshotRoot, clock);
    }

    /** Hibernates sandboxes in standby while the host has less than {@code bytes} available. */
    Engine minAvailableMemory(long bytes) {
        this.minAvailableMemory = bytes;
        return this;
    }

    /** Limits what each project may hold. */
    Engine quota(ProjectQuota value) {
        this.quota = value;
        return this;
    }

    /** Builds an engine over the fakes, recovering whatever the store and runtime hold. */
    SandboxService start() {
        return SandboxService.builder()
                .runtime(runtime)
                .store(store)
                .snapshots(snapshots)
                .clock(clock)
                .background(Runnable::run)
                .hostMemory(availableMemory::get)
                .listener(listener)
                .listener(events)
                .metering(new Metering(ledger, Runnable::run, sandbox -> diskBytes, clock))
                .settings(new LifecycleSettings(
                        new SandboxSpec("default", IDLE, HIBERNATE_AFTER, null, null, 256, 1.0), minAvailableMemory, quota))
                .build();
    }

    /** Runs {@code count} in the sandbox: bumps its memory and returns the new value. */
    static long count(SandboxService service, SandboxId id) {
        return Long.parseLong(service.exec(id, ExecRequest.of("count")).stdout());
    }

    /** A record as an earlier daemon would have stored it, created at {@link #START}. */
    static Sandbox stored(SandboxId id, SandboxState state, int generation, Snapshot snapshot) {
        SandboxSpec spec = new SandboxSpec("default", IDLE, HIBERNATE_AFTER, null, null, 256, 1.0);
        return new Sandbox(id, ProjectId.DEFAULT, spec, state, START, START, START, generation, snapshot, null, Lifecycle.DEFAULT);
    }
}
