package io.perpetua.server.e2b;

import io.perpetua.lifecycle.LifecycleSettings;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E2B's sandbox metrics ({@code GET /sandboxes/{id}/metrics}): a sample of each sandbox's CPU,
 * memory and disk every {@value #INTERVAL_SECONDS} s, read from the host's accounting of its
 * container (which neither wakes it nor counts as activity), the last hour of them kept in
 * memory. CPU is the share of the sandbox's CPUs used since the previous sample; a sandbox
 * asleep uses none. The disk is measured once a minute (it takes a program on the host).
 */
final class E2bMetrics {

    private static final Logger log = LoggerFactory.getLogger(E2bMetrics.class);
    static final int INTERVAL_SECONDS = 5;
    private static final int KEPT = 3600 / INTERVAL_SECONDS;
    private static final Duration DISK_INTERVAL = Duration.ofMinutes(1);
    private static final long MIB = 1024 * 1024;

    /** One sample, with the CPU time it was computed from and when its disk was measured. */
    record Sample(Instant at, double cpuUsedPct, int cpuCount, long memUsed, long memTotal, long diskUsed, long diskTotal,
                  long cpuNanos, Instant diskMeasuredAt) {

        /** As E2B's {@code SandboxMetric}. */
        Map<String, Object> json() {
            Map<String, Object> metric = new LinkedHashMap<>();
            metric.put("timestamp", at.toString());
            metric.put("timestampUnix", at.getEpochSecond());
            metric.put("cpuUsedPct", Math.round(cpuUsedPct * 100) / 100.0);
            metric.put("cpuCount", cpuCount);
            metric.put("memUsed", memUsed);
            metric.put("memTotal", memTotal);
            metric.put("memCache", 0);
            metric.put("diskUsed", diskUsed);
            metric.put("diskTotal", diskTotal);
            return metric;
        }
    }

    private final SandboxRuntime runtime;
    private final Clock clock;
    private final ConcurrentMap<SandboxId, Deque<Sample>> samples = new ConcurrentHashMap<>();
    private Instant lastRound = Instant.EPOCH;

    E2bMetrics(SandboxRuntime runtime, Clock clock) {
        this.runtime = runtime;
        this.clock = clock;
    }

    /** Samples {@code sandboxes} if a round is due, and forgets the others. */
    void sampleIfDue(Collection<Sandbox> sandboxes) {
        Instant now = clock.instant();
        if (Duration.between(lastRound, now).toSeconds() < INTERVAL_SECONDS) {
            return;
        }
        lastRound = now;
        samples.keySet().retainAll(sandboxes.stream().map(Sandbox::id).toList());
        for (Sandbox sandbox : sandboxes) {
            try {
                sample(sandbox);
            } catch (RuntimeException e) {
                // Asleep or gone meanwhile: no sample this round.
                log.debug("no metrics sample of sandbox {}: {}", sandbox.id(), e.getMessage());
            }
        }
    }

    /** The samples of {@code sandbox} from {@code start} to {@code end} (either may be null), oldest first; one taken now if none was yet. */
    List<Map<String, Object>> of(Sandbox sandbox, Instant start, Instant end) {
        Deque<Sample> kept = samples.get(sandbox.id());
        if (kept == null || kept.isEmpty()) {
            kept = sample(sandbox);
        }
        synchronized (kept) {
            return kept.stream().filter(s -> (start == null || !s.at().isBefore(start)) && (end == null || !s.at().isAfter(end)))
                    .map(Sample::json).toList();
        }
    }

    private Deque<Sample> sample(Sandbox sandbox) {
        Deque<Sample> kept = samples.computeIfAbsent(sandbox.id(), id -> new ArrayDeque<>());
        ResourceUsage usage = runtime.usage(sandbox.container());
        Instant now = clock.instant();
        int cpus = (int) Math.ceil(sandbox.spec().cpus() == null ? 1 : sandbox.spec().cpus());
        long memTotal = (sandbox.spec().memoryMb() == null ? 0 : sandbox.spec().memoryMb()) * MIB;
        Integer diskMb = sandbox.spec().diskMb() != null ? sandbox.spec().diskMb() : LifecycleSettings.PRODUCT_LIMITS.diskMb();
        synchronized (kept) {
            Sample previous = kept.peekLast();
            double cpuPct = 0;
            if (previous != null && usage.cpuNanos() >= previous.cpuNanos()) {
                long wall = Duration.between(previous.at(), now).toNanos();
                cpuPct = wall <= 0 ? 0 : 100.0 * (usage.cpuNanos() - previous.cpuNanos()) / wall / Math.max(1, cpus);
            }
            boolean measureDisk = previous == null || !previous.diskMeasuredAt().plus(DISK_INTERVAL).isAfter(now);
            long diskUsed = measureDisk ? runtime.storedBytes(sandbox.id()) : previous.diskUsed();
            kept.addLast(new Sample(now, Math.min(100, cpuPct), cpus, usage.memoryBytes(), memTotal, diskUsed, diskMb * MIB,
                    usage.cpuNanos(), measureDisk ? now : previous.diskMeasuredAt()));
            while (kept.size() > KEPT) {
                kept.removeFirst();
            }
        }
        return kept;
    }
}
