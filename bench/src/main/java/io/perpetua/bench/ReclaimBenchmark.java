package io.perpetua.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The reclaimed tier against its neighbours, on sandboxes that touched 300 MB each: what a
 * sandbox holds in RAM while dormant (its memory cgroup), its first exec after waking, and the
 * time its process takes to read all 300 MB again, from standby (memory kept), reclaimed (memory
 * in swap) and hibernated (memory in a checkpoint), against a running sandbox's exec in the same run.
 */
final class ReclaimBenchmark {

    private static final int MEGABYTES = 300;
    private static final int SANDBOXES = 3;
    /** Holds 300 MB of random bytes; on SIGUSR1 reads a byte of every page and writes how long that took. */
    private static final String HOLDER = """
            import os, signal, time
            block = bytearray(os.urandom(%d << 20))
            def touch(signum, frame):
                started = time.monotonic()
                total = sum(block[::4096])
                with open('/tmp/touched.tmp', 'w') as f:
                    f.write(f'{(time.monotonic() - started) * 1000:.1f} {total}')
                os.rename('/tmp/touched.tmp', '/tmp/touched')
            signal.signal(signal.SIGUSR1, touch)
            open('/tmp/ready', 'w').write('1')
            while True:
                time.sleep(3600)
            """.formatted(MEGABYTES);

    private final BenchClient api;
    private final String cgroupParent;

    ReclaimBenchmark(BenchClient api, String cgroupParent) {
        this.api = api;
        this.cgroupParent = cgroupParent;
    }

    void run(int rounds, Report report) {
        Samples running = new Samples("exec on a running sandbox (300 MB touched)");
        Samples standbyWake = new Samples("first exec after standby (memory kept)");
        Samples reclaimedWake = new Samples("first exec after reclaim (memory in swap)");
        Samples hibernatedWake = new Samples("first exec after hibernation (memory in a checkpoint)");
        Samples reclaim = new Samples("reclaim 300 MB (standby to reclaimed)");
        Samples reclaimedTouch = new Samples("read all 300 MB again after waking from reclaimed");
        Samples hibernatedTouch = new Samples("read all 300 MB again after waking from hibernation");
        Samples keptTouch = new Samples("read all 300 MB again after waking from standby");
        List<Double> dormantMib = new ArrayList<>();
        List<Double> standbyMib = new ArrayList<>();
        List<String> sandboxes = new ArrayList<>();
        try {
            for (int i = 0; i < SANDBOXES; i++) {
                sandboxes.add(holder());
            }
            for (int round = 0; round < rounds; round++) {
                for (String id : sandboxes) {
                    time(running, () -> api.exec(id, "true"));
                    api.lifecycle(id, "standby");
                    standbyMib.add(residentBytes(id) / 1048576.0);
                    time(standbyWake, () -> api.exec(id, "true"));
                    keptTouch.add(touchAll(id));

                    api.lifecycle(id, "standby");
                    time(reclaim, () -> api.lifecycle(id, "reclaim"));
                    dormantMib.add(residentBytes(id) / 1048576.0);
                    time(reclaimedWake, () -> api.exec(id, "true"));
                    reclaimedTouch.add(touchAll(id));

                    if (round == 0) {
                        api.lifecycle(id, "hibernate");
                        time(hibernatedWake, () -> api.exec(id, "true"));
                        hibernatedTouch.add(touchAll(id));
                    }
                }
            }
        } finally {
            sandboxes.forEach(api::deleteQuietly);
        }
        for (Samples samples : List.of(running, standbyWake, reclaimedWake, hibernatedWake, reclaim, keptTouch, reclaimedTouch,
                hibernatedTouch)) {
            report.add(samples);
        }
        report.value("RAM held in standby, p50", median(standbyMib), "MiB");
        report.value("RAM held when reclaimed, p50 (goal <= 16 MiB)", median(dormantMib), "MiB");
        report.ratio("first exec after reclaim / running exec, p50", reclaimedWake.median() / running.median(), "p50 <= 100 ms");
        report.ratio("first exec after reclaim / running exec, p99", reclaimedWake.percentile(99) / running.percentile(99), "<= 2");
        report.ratio("first exec after reclaim / after hibernation, p50", reclaimedWake.median() / hibernatedWake.median(), "");
        report.ratio("read 300 MB after reclaim / after hibernation, p50", reclaimedTouch.median() / hibernatedTouch.median(), "");
    }

    private String holder() {
        String id = api.create(Map.of("memoryMb", 1024, "idleTimeoutSeconds", 3600));
        api.exec(id, "sh", "-c", "cat > /tmp/holder.py <<'EOF'\n" + HOLDER + "EOF\nnohup python3 /tmp/holder.py >/dev/null 2>&1 &"
                + " echo $! > /tmp/holder.pid");
        api.exec(id, "sh", "-c", "for i in $(seq 600); do [ -f /tmp/ready ] && exit 0; sleep 0.1; done; exit 1");
        return id;
    }

    /** Milliseconds the holder took to read a byte of each of its pages, as it measured. */
    private double touchAll(String id) {
        String out = api.exec(id, "sh", "-c", "rm -f /tmp/touched; kill -USR1 $(cat /tmp/holder.pid);"
                + " for i in $(seq 600); do [ -f /tmp/touched ] && break; sleep 0.05; done; cat /tmp/touched").path("stdout").asString();
        return Double.parseDouble(out.strip().split(" ")[0]);
    }

    private static void time(Samples samples, Runnable call) {
        long started = System.nanoTime();
        call.run();
        samples.since(started);
    }

    private long residentBytes(String id) {
        Path parent = Path.of("/sys/fs/cgroup/memory", cgroupParent);
        try (Stream<Path> groups = Files.list(parent)) {
            Path group = groups.filter(dir -> dir.getFileName().toString().startsWith(id + "-")).max(Path::compareTo).orElseThrow();
            return Long.parseLong(Files.readString(group.resolve("memory.usage_in_bytes")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }
}
