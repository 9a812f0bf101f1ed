package io.perpetua.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.perpetua.lifecycle.LifecycleListener;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics: sandboxes by state, transitions, resume latency by tier
 * ({@code perpetua_resume_seconds}), checkpoint duration and size, exec latency, API errors, and
 * usage counters: seconds spent in each state, vCPU-seconds and memory GB-seconds while running
 * (counted when a sandbox leaves a state; since this daemon started).
 */
public final class Metrics implements LifecycleListener {

    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1).dividedBy(4), Duration.ofMillis(1).dividedBy(2), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer checkpoints;
    private final DistributionSummary checkpointBytes;
    private final Timer execs;
    private final Counter vcpuSeconds;
    private final Counter memoryGbSeconds;
    /** Each sandbox as it entered its current state, to count the time when it leaves. */
    private final Map<SandboxId, Sandbox> entered = new ConcurrentHashMap<>();

    /** Registers the meters fed by the lifecycle engine and the API. */
    public Metrics() {
        checkpoints = Timer.builder("perpetua.checkpoint").description("Time to checkpoint a sandbox and seal its snapshot")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        checkpointBytes = DistributionSummary.builder("perpetua.checkpoint.bytes").baseUnit("bytes")
                .description("Size of sealed checkpoints").register(registry);
        execs = Timer.builder("perpetua.exec").description("Time to run a command through the API, including any resume")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        vcpuSeconds = Counter.builder("perpetua.usage.vcpu.seconds").description("vCPUs allocated × seconds running")
                .register(registry);
        memoryGbSeconds = Counter.builder("perpetua.usage.memory.gb.seconds").description("Memory allocated (GiB) × seconds running")
                .register(registry);
        for (String tier : new String[] {"standby", "reclaimed", "hibernated"}) {
            resumeTimer(tier);
        }
    }

    /** Adds the gauges of sandboxes by state; {@code sandboxes} is read at every scrape. */
    public void countStates(Supplier<? extends Collection<Sandbox>> sandboxes) {
        for (SandboxState state : SandboxState.values()) {
            if (state != SandboxState.DELETED) {
                Gauge.builder("perpetua.sandboxes", () -> sandboxes.get().stream().filter(s -> s.state() == state).count())
                        .description("Sandboxes by state").tag("state", state.wireName()).register(registry);
            }
        }
    }

    /** Adds the gauge of warm sandboxes ready to be taken; {@code ready} is read at every scrape. */
    public void countWarmPool(IntSupplier ready) {
        Gauge.builder("perpetua.warm.pool.ready", ready::getAsInt)
                .description("Sandboxes started ahead of demand, frozen, ready to be taken by a create").register(registry);
    }

    @Override
    public void onTransition(SandboxId sandbox, SandboxState from, SandboxState to) {
        Counter.builder("perpetua.transitions").description("Lifecycle transitions")
                .tag("from", from.wireName()).tag("to", to.wireName()).register(registry).increment();
    }

    @Override
    public void onStateChanged(Sandbox sandbox, SandboxState from) {
        Sandbox previous = entered.put(sandbox.id(), sandbox);
        if (sandbox.state() == SandboxState.DELETED) {
            entered.remove(sandbox.id());
        }
        if (previous == null || previous.state() != from) {
            return;
        }
        double seconds = Duration.between(previous.stateChangedAt(), sandbox.stateChangedAt()).toNanos() / 1e9;
        if (seconds <= 0) {
            return;
        }
        Counter.builder("perpetua.usage.state.seconds").description("Seconds sandboxes spent in each state (counted as they leave it)")
                .tag("state", from.wireName()).register(registry).increment(seconds);
        if (from == SandboxState.RUNNING) {
            vcpuSeconds.increment(previous.spec().cpus() * seconds);
            memoryGbSeconds.increment(previous.spec().memoryMb() / 1024.0 * seconds);
        }
    }

    @Override
    public void onResume(SandboxId sandbox, SandboxState tier, Duration elapsed) {
        resumeTimer(tier.wireName()).record(elapsed);
    }

    @Override
    public void onCheckpoint(SandboxId sandbox, Duration elapsed, long bytes) {
        checkpoints.record(elapsed);
        checkpointBytes.record(bytes);
    }

    /** Records one API exec. */
    public void execCompleted(Duration elapsed) {
        execs.record(elapsed);
    }

    /** Counts one error answered by the API, by its code. */
    public void apiError(String code) {
        Counter.builder("perpetua.api.errors").description("Errors answered by the API, by code")
                .tag("code", code).register(registry).increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    private Timer resumeTimer(String tier) {
        return Timer.builder("perpetua.resume").description("Time to wake a sandbox for a request, by the tier it slept in")
                .tag("tier", tier).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }
}
