package io.perpetua.bench;

import io.perpetua.costmodel.CostInputs;
import io.perpetua.costmodel.CostModel;
import io.perpetua.costmodel.PolicyCost;
import io.perpetua.costmodel.PolicyCost.Policy;
import io.perpetua.costmodel.Trace;
import io.perpetua.costmodel.TraceGenerator;
import io.perpetua.metering.Prices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.JsonNode;

/**
 * A small real fleet driven by a synthetic trace, scaled down in time, under each policy, with
 * the ledger's measured usage beside the cost model's figures for the same scaled trace. Each
 * session is a thread that follows its bursts: ephemeral sessions create a sandbox, rebuild its
 * state and delete it for every burst; persistent ones keep one running; perpetual ones let it
 * sleep between bursts (idle window and time to hibernation scaled down like the trace).
 */
final class FleetBenchmark {

    /** Trace seconds per real second. */
    static final double SCALE = 60;
    private static final int SESSIONS = 8;
    private static final double HOURS = 2;
    private static final double MEAN_BURST = 300;
    /** The default shape, so that the warm pool serves creates, as it would in production. */
    private static final int MEMORY_MB = 1024;
    /** The perpetual policy's lifecycle, scaled: 15 s → 1 s (the smallest idle window), 10 min → 10 s. */
    private static final int IDLE_SECONDS = 1;
    private static final int HIBERNATE_AFTER_SECONDS = 10;
    /** A session's state: 200 files and a 20 MB process, ready when /tmp/ready exists. */
    private static final String STATE = "mkdir -p /root/work && python3 -c \"import os; [open(f'/root/work/f{i}', 'wb')"
            + ".write(os.urandom(20000)) for i in range(200)]\" && (nohup python3 -c \"import os, time; b = bytearray(os.urandom(20 << 20)); "
            + "open('/tmp/ready', 'w').close(); time.sleep(86400)\" > /dev/null 2>&1 &) "
            + "&& for i in $(seq 600); do [ -f /tmp/ready ] && exit 0; sleep 0.05; done; exit 1";

    private final BenchClient api;
    private final Prices prices;

    FleetBenchmark(BenchClient api, Prices prices) {
        this.api = api;
        this.prices = prices;
    }

    /** What one policy's run measured. */
    record Measured(double runningSeconds, double dormantSeconds, double storageGbSeconds, double cost, long rebuilds,
                    double rebuildSeconds, double createSeconds, long standbyResumes, double standbyResumeSeconds, long hibernatedResumes,
                    double hibernatedResumeSeconds) {

        long resumes() {
            return standbyResumes + hibernatedResumes;
        }

        double resumeSeconds() {
            return standbyResumeSeconds + hibernatedResumeSeconds;
        }
    }

    void run(List<Double> ratios) {
        double execOverhead = execOverhead();
        System.out.printf(Locale.ROOT, "fleet: %d sessions of %.0f h, bursts of %.0f s on average, scaled %.0fx (%.0f s a run); "
                + "exec overhead %.0f ms%n", SESSIONS, HOURS, MEAN_BURST, SCALE, HOURS * 3600 / SCALE, execOverhead * 1000);
        System.out.println("| active | policy | running s (model / measured) | dormant s | storage GB-s | cost (model / measured) "
                + "| rebuilds | rebuilding s | resumes | waiting on resumes s |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (double ratio : ratios) {
            Trace trace = scaled(TraceGenerator.generate(SESSIONS, HOURS, ratio, MEAN_BURST, 11));
            Map<Policy, Measured> measured = new EnumMap<>(Policy.class);
            for (Policy policy : Policy.values()) {
                measured.put(policy, run(trace, policy, execOverhead));
            }
            Measured ephemeral = measured.get(Policy.EPHEMERAL);
            Measured perpetual = measured.get(Policy.PERPETUAL);
            double storedBytes = perpetual.dormantSeconds() == 0 ? 0 : perpetual.storageGbSeconds() / perpetual.dormantSeconds() * 1e9;
            CostInputs inputs = new CostInputs(1, MEMORY_MB, (long) storedBytes, IDLE_SECONDS, HIBERNATE_AFTER_SECONDS,
                    mean(perpetual.standbyResumeSeconds(), perpetual.standbyResumes()),
                    mean(perpetual.hibernatedResumeSeconds(), perpetual.hibernatedResumes()),
                    mean(ephemeral.rebuildSeconds(), ephemeral.rebuilds()), mean(ephemeral.createSeconds(), ephemeral.rebuilds()), prices);
            for (PolicyCost model : CostModel.evaluate(trace, inputs)) {
                Measured real = measured.get(model.policy());
                System.out.printf(Locale.ROOT, "| %.0f %% | %s | %.0f / %.0f | %.0f / %.0f | %.3f / %.3f | %.6f / %.6f | %d / %d | %.0f / %.0f "
                                + "| %d / %d | %.1f / %.1f |%n", ratio * 100, model.policy().name().toLowerCase(Locale.ROOT),
                        model.runningSeconds(), real.runningSeconds(), model.dormantSeconds(), real.dormantSeconds(),
                        model.storageGbSeconds(), real.storageGbSeconds(), model.cost().total(), real.cost(), model.rebuilds(),
                        real.rebuilds(), model.rebuildSeconds(), real.rebuildSeconds(), model.resumes(), real.resumes(),
                        model.resumeSeconds(), real.resumeSeconds());
            }
        }
    }

    private static double mean(double sum, long count) {
        return count == 0 ? 0 : sum / count;
    }

    /** The trace with every time divided by {@link #SCALE}. */
    private static Trace scaled(Trace trace) {
        return new Trace(trace.sessions().stream().map(session -> new Trace.Session(session.name(), session.bursts().stream()
                .map(burst -> new Trace.Burst(burst.start() / SCALE, Math.max(1, burst.duration() / SCALE))).toList())).toList());
    }

    /** What an exec of a command costs beyond the command, on a running sandbox. */
    private double execOverhead() {
        String id = api.create(Map.of());
        Samples samples = new Samples("exec true");
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            api.exec(id, "true");
            samples.since(start);
        }
        api.delete(id);
        return samples.median() / 1000;
    }

    private Measured run(Trace trace, Policy policy, double execOverhead) {
        Set<String> sandboxes = ConcurrentHashMap.newKeySet();
        DoubleAdder rebuildSeconds = new DoubleAdder();
        DoubleAdder createSeconds = new DoubleAdder();
        LongAdder rebuilds = new LongAdder();
        DoubleAdder standbyResumeSeconds = new DoubleAdder();
        LongAdder standbyResumes = new LongAdder();
        DoubleAdder hibernatedResumeSeconds = new DoubleAdder();
        LongAdder hibernatedResumes = new LongAdder();
        Instant from = Instant.now();
        long origin = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Trace.Session session : trace.sessions()) {
            threads.add(Thread.ofVirtual().start(() -> {
                String id = null;
                double[] previousEnd = {0};
                for (int i = 0; i < session.bursts().size(); i++) {
                    Trace.Burst burst = session.bursts().get(i);
                    sleepUntil(origin, burst.start());
                    if (id == null) {
                        long start = System.nanoTime();
                        id = api.create(Map.of("idleTimeoutSeconds", policy == Policy.PERPETUAL ? IDLE_SECONDS : 86_400,
                                "hibernateAfterSeconds", HIBERNATE_AFTER_SECONDS));
                        sandboxes.add(id);
                        createSeconds.add((System.nanoTime() - start) / 1e9);
                        api.exec(id, "sh", "-c", STATE);
                        rebuildSeconds.add((System.nanoTime() - start) / 1e9);
                        rebuilds.increment();
                    }
                    long start = System.nanoTime();
                    api.exec(id, "sleep", String.format(Locale.ROOT, "%.3f", burst.duration()));
                    double ended = (System.nanoTime() - origin) / 1e9;
                    double waited = (System.nanoTime() - start) / 1e9 - burst.duration() - execOverhead;
                    // The gap as it was: the previous burst may have ended late, waiting on a rebuild or a wake-up.
                    double gap = i == 0 ? 0 : burst.start() - previousEnd[0];
                    if (policy == Policy.PERPETUAL && gap > IDLE_SECONDS + HIBERNATE_AFTER_SECONDS) {
                        hibernatedResumes.increment();
                        hibernatedResumeSeconds.add(Math.max(0, waited));
                    } else if (policy == Policy.PERPETUAL && gap > IDLE_SECONDS) {
                        standbyResumes.increment();
                        standbyResumeSeconds.add(Math.max(0, waited));
                    }
                    previousEnd[0] = ended;
                    if (policy == Policy.EPHEMERAL || i + 1 == session.bursts().size()) {
                        api.delete(id);
                        id = null;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Instant to = Instant.now().plusSeconds(1);
        sleepSeconds(1.5);
        JsonNode usage = api.usage(from, to);
        double running = 0;
        double dormant = 0;
        double storage = 0;
        double cost = 0;
        for (JsonNode row : usage.path("rows")) {
            if (sandboxes.contains(row.path("key").asString())) {
                JsonNode units = row.path("usage");
                running += units.path("runningSeconds").asDouble();
                dormant += units.path("standbySeconds").asDouble() + units.path("hibernatedSeconds").asDouble();
                storage += units.path("storageGbSeconds").asDouble();
                cost += row.path("cost").path("total").asDouble();
            }
        }
        return new Measured(running, dormant, storage, cost, rebuilds.sum(), rebuildSeconds.sum(), createSeconds.sum(), standbyResumes.sum(),
                standbyResumeSeconds.sum(), hibernatedResumes.sum(), hibernatedResumeSeconds.sum());
    }

    private static void sleepUntil(long origin, double seconds) {
        sleepSeconds(seconds - (System.nanoTime() - origin) / 1e9);
    }

    private static void sleepSeconds(double seconds) {
        if (seconds <= 0) {
            return;
        }
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
