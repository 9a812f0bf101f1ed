package io.perpetua.bench;

import io.perpetua.metering.Prices;
import io.perpetua.runtime.gvisor.NetworkConfig;
import io.perpetua.runtime.gvisor.RunscConfig;
import io.perpetua.runtime.gvisor.RunscRuntime;
import io.perpetua.server.PerpetuaServer;
import io.perpetua.server.ServerConfig;
import io.perpetua.server.ServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Measures the lifecycle on this machine against a real daemon and real gVisor sandboxes, and
 * prints medians and p99 next to the goals. Every comparison is against a baseline measured in
 * the same run, because these machines are noisy. Run with {@code ./perpetua bench [rounds]}.
 */
public final class LifecycleBenchmark {

    private static final int WARM_POOL = 2;
    /** Apart from the subnet of a daemon an operator may run on this host. */
    private static final String SUBNET = "10.235.0.0/16";
    private static final Set<String> SECTIONS = Set.of("exec", "standby", "hibernate", "create", "rebuild", "files", "proxy",
            "neighbours", "e2b", "fleet", "snapshot", "template", "storage", "reclaim");
    /**
     * Sections that run only when named: the fleet takes 25 minutes; e2b installs the e2b SDK from
     * npm; snapshot measures the runtime, not the API, which has no snapshots yet.
     */
    private static final Set<String> ON_REQUEST = Set.of("fleet", "e2b", "snapshot", "template", "storage", "reclaim");
    private static final String FORK_BOMB = String.join("\n", "import os, time", "while True:", "    if os.fork() == 0:",
            "        time.sleep(60)", "        os._exit(0)");
    private static final String MEMORY_HOG = String.join("\n", "chunks = []", "while True:",
            "    chunks.append(bytearray(b'x' * (16 << 20)))");

    private final BenchClient api;
    private final Path data;
    private final int rounds;
    private final Report report = new Report();

    private final Set<String> sections;
    private final Prices prices;
    private final String cgroupParent;

    private LifecycleBenchmark(BenchClient api, Path data, int rounds, Set<String> sections, Prices prices, String cgroupParent) {
        this.api = api;
        this.cgroupParent = cgroupParent;
        this.prices = prices;
        this.data = data;
        this.rounds = rounds;
        this.sections = sections;
    }

    private boolean runs(String section) {
        return sections.isEmpty() && !ON_REQUEST.contains(section) || sections.contains(section);
    }

    /**
     * @param args optionally the number of rounds per measurement (default 20), then the sections
     *             to run (exec, standby, hibernate, create, rebuild, files, proxy, neighbours; default all of
     *             these; fleet, a real fleet against the cost model, e2b, the real e2b SDK against our
     *             exec, snapshot, snapshots and rollbacks on the runtime, and template, a sandbox from a template against
     *             one set up afresh, run only when named)
     */
    public static void main(String[] args) {
        try {
            measure(args);
        } catch (IOException | RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        // The MCP SDK leaves a thread that is not a daemon (its session sweeper) after the server closes.
        System.exit(0);
    }

    private static void measure(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Set<String> sections = Arrays.stream(args).skip(1).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(sections);
        unknown.removeAll(SECTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown benchmark sections " + unknown + "; choose from " + SECTIONS);
        }
        Path data = Files.createTempDirectory("perpetua-bench-");
        String key = "pk_bench_" + UUID.randomUUID();
        String cgroupParent = "perpetua-bench-" + Long.toHexString(System.nanoTime());
        ServerConfig config = ServerOptions.parse(List.of("--port", "0", "--data-dir", data.toString(), "--idle-timeout", "1h",
                "--hibernate-after", "1h", "--cgroup-parent", cgroupParent, "--warm-pool", Integer.toString(WARM_POOL),
                "--subnet", SUBNET), Map.of("PERPETUA_ADMIN_KEY", key));
        try (PerpetuaServer server = PerpetuaServer.start(config)) {
            BenchClient api = new BenchClient(URI.create("http://127.0.0.1:" + server.port()), key);
            new LifecycleBenchmark(api, data, rounds, sections, config.prices(), cgroupParent).run();
        } finally {
            new RunscRuntime(new RunscConfig("runsc", data, "ptrace", cgroupParent, new NetworkConfig(true, SUBNET))).purge();
            deleteTree(data);
        }
    }

    private void run() {
        System.out.printf("perpetua lifecycle benchmark: %d rounds, %d cores%n%n", rounds, Runtime.getRuntime().availableProcessors());
        if (runs("exec") || runs("standby")) {
            String id = api.create(Map.of());
            execVersusRawRunsc(id);
            standbyResume(id);
            api.delete(id);
        }
        if (runs("hibernate")) {
            hibernatedResume(50, rounds / 2);
            hibernatedResume(500, Math.max(3, rounds / 6));
        }
        if (runs("create")) {
            createToFirstExec();
        }
        if (runs("rebuild")) {
            resumeVersusRebuild();
        }
        if (runs("files")) {
            fileTransfer();
        }
        if (runs("proxy")) {
            proxyLatency();
        }
        if (runs("neighbours")) {
            noisyNeighbours();
        }
        if (runs("e2b")) {
            new E2bBenchmark(api.base(), api.key(), data).run(rounds, report);
        }
        if (runs("snapshot")) {
            new SnapshotBenchmark(data).run(Math.max(3, rounds / 4), report);
        }
        if (runs("template")) {
            new TemplateBenchmark(api).run(Math.max(3, rounds / 4), report);
        }
        if (runs("storage")) {
            new StorageBenchmark(api).run(Math.max(3, rounds / 4), report);
        }
        if (runs("reclaim")) {
            new ReclaimBenchmark(api, cgroupParent).run(Math.max(3, rounds / 4), report);
        }
        report.print(System.out);
        if (runs("fleet")) {
            new FleetBenchmark(api, prices).run(List.of(0.02, 0.05, 0.2, 0.5));
        }
    }

    /** API exec of {@code true} on a running sandbox, interleaved with raw {@code runsc exec} of the same. */
    private void execVersusRawRunsc(String id) {
        Samples viaApi = new Samples("exec `true` via API, running sandbox");
        Samples raw = new Samples("raw `runsc exec true`, same sandbox");
        RawRunsc runsc = new RawRunsc(data, id);
        for (int i = 0; i < 3; i++) {
            api.exec(id, "true");
            runsc.execTrue();
        }
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            api.exec(id, "true");
            viaApi.since(start);
            start = System.nanoTime();
            runsc.execTrue();
            raw.since(start);
        }
        report.add(viaApi);
        report.add(raw);
        report.ratio("API exec / raw runsc exec (p50)", viaApi.median() / raw.median(), "<= 1.2");
    }

    /**
     * The first exec after standby against an exec on the same running sandbox, paired round by
     * round, and the wake-up itself as the engine measured it (thaw plus bookkeeping).
     */
    private void standbyResume(String id) {
        Samples running = new Samples("exec `true`, running sandbox (paired with the next)");
        Samples firstExec = new Samples("first exec after standby");
        Samples standbyTransition = new Samples("standby (freeze) via API");
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            api.exec(id, "true");
            running.since(start);
            start = System.nanoTime();
            api.lifecycle(id, "standby");
            standbyTransition.since(start);
            start = System.nanoTime();
            api.exec(id, "true");
            firstExec.since(start);
        }
        report.add(standbyTransition);
        report.add(running);
        report.add(firstExec);
        report.goal("standby resume overhead p50 (first exec p50 - running exec p50)", firstExec.median() - running.median(), "");
        Metric wake = new Metric(api.metrics(), "perpetua_resume_seconds", "tier=\"standby\"");
        report.goal("standby wake-up in the engine, p50 at most (histogram bucket)", wake.quantileBoundMillis(0.5), "");
        report.goal("standby wake-up in the engine, p99 at most (histogram bucket)", wake.quantileBoundMillis(0.99), "< 5 ms");
    }

    /** A sandbox holding {@code megabytes} of incompressible memory, hibernated and woken {@code times} times. */
    private void hibernatedResume(int megabytes, int times) {
        String id = api.create(Map.of("memoryMb", 2 * megabytes + 512));
        api.exec(id, "sh", "-c", touchedMemory(megabytes));
        api.exec(id, "sh", "-c", "for i in $(seq 600); do [ -f /tmp/ready ] && exit 0; sleep 0.1; done; exit 1");
        Samples checkpoint = new Samples("hibernate (checkpoint) " + megabytes + " MB");
        Samples wake = new Samples("first exec after hibernation, " + megabytes + " MB");
        Samples running = new Samples("exec on the running " + megabytes + " MB sandbox");
        double secondsPerGb = 0;
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            api.exec(id, "true");
            running.since(start);
            start = System.nanoTime();
            long bytes = api.lifecycle(id, "hibernate").path("snapshot").path("sizeBytes").asLong();
            checkpoint.since(start);
            secondsPerGb += (System.nanoTime() - start) / 1e9 / (bytes / 1e9) / times;
            start = System.nanoTime();
            api.exec(id, "true");
            wake.since(start);
        }
        api.delete(id);
        report.add(checkpoint);
        report.add(wake);
        Samples restore = wake.minus("resume from hibernated " + megabytes + " MB (first exec - running exec p50)", running.median());
        report.add(restore);
        report.value("checkpoint seconds per GB of snapshot, " + megabytes + " MB", secondsPerGb, "s/GB");
        if (megabytes == 50) {
            report.goal("hibernated 50 MB resume p50", restore.median(), "< 300 ms");
        }
    }

    /**
     * Create then first exec, from the warm pool and cold (a memory size the pool does not keep,
     * so runsc run starts it). Before each, the pool is let refill (untimed), so that its
     * background runsc run does not compete for the two cores with the measured create.
     */
    private void createToFirstExec() {
        Samples warm = new Samples("create -> first exec answered, warm pool");
        Samples cold = new Samples("create -> first exec answered, cold (runsc run)");
        for (int i = 0; i < rounds; i++) {
            awaitFullWarmPool();
            long start = System.nanoTime();
            String id = api.create(Map.of());
            api.exec(id, "true");
            warm.since(start);
            api.delete(id);
            awaitFullWarmPool();
            start = System.nanoTime();
            id = api.create(Map.of("memoryMb", 1000));
            api.exec(id, "true");
            cold.since(start);
            api.delete(id);
        }
        report.add(warm);
        report.add(cold);
        report.goal("create -> first exec p50, warm pool", warm.median(), "< 250 ms");
        report.goal("create -> first exec p50, cold", cold.median(), "< 250 ms");
    }

    private void awaitFullWarmPool() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (new Metric(api.metrics(), "perpetua_warm_pool_ready", "").value() < WARM_POOL) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the warm pool did not refill within 60 s");
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    /**
     * The point of the product: waking a sandbox against rebuilding its state from scratch
     * (new sandbox, the same 200 files written, the same process started and loaded).
     */
    private void resumeVersusRebuild() {
        String setup = "mkdir -p /root/work && python3 -c \"import os; [open(f'/root/work/f{i}', 'wb').write(os.urandom(50000)) for i in range(200)]\" "
                + "&& " + touchedMemory(50) + " for i in $(seq 600); do [ -f /tmp/ready ] && exit 0; sleep 0.05; done; exit 1";
        Samples rebuild = new Samples("rebuild: create + 200 files + 50 MB process ready");
        Samples fromStandby = new Samples("resume the same state from standby (first exec)");
        Samples fromHibernation = new Samples("resume the same state from hibernation (first exec)");
        int times = Math.max(3, rounds / 4);
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            String id = api.create(Map.of());
            api.exec(id, "sh", "-c", setup);
            rebuild.since(start);
            api.lifecycle(id, "standby");
            start = System.nanoTime();
            api.exec(id, "true");
            fromStandby.since(start);
            api.lifecycle(id, "hibernate");
            start = System.nanoTime();
            api.exec(id, "true");
            fromHibernation.since(start);
            api.delete(id);
        }
        report.add(rebuild);
        report.add(fromStandby);
        report.add(fromHibernation);
        report.ratio("rebuild / resume from standby (p50)", rebuild.median() / fromStandby.median(), "higher is better");
        report.ratio("rebuild / resume from hibernation (p50)", rebuild.median() / fromHibernation.median(), "higher is better");
    }

    /** Upload and download of 256 MiB through the files API against a plain local copy of the same file. */
    private void fileTransfer() {
        long size = 256L << 20;
        Path local = data.resolve("transfer.bin");
        Path copy = data.resolve("transfer.copy");
        Path back = data.resolve("transfer.back");
        try {
            try (var out = Files.newOutputStream(local)) {
                Random random = new Random(7);
                byte[] chunk = new byte[1 << 20];
                for (long written = 0; written < size; written += chunk.length) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                }
            }
            String id = api.create(Map.of());
            Samples localCopy = new Samples("local copy of 256 MiB");
            Samples upload = new Samples("upload of 256 MiB through the files API");
            Samples download = new Samples("download of 256 MiB through the files API");
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                Files.copy(local, copy, StandardCopyOption.REPLACE_EXISTING);
                localCopy.since(start);
                start = System.nanoTime();
                api.upload(id, "/root/transfer.bin", local);
                upload.since(start);
                start = System.nanoTime();
                api.download(id, "/root/transfer.bin", back);
                download.since(start);
            }
            api.delete(id);
            report.add(localCopy);
            report.add(upload);
            report.add(download);
            double mb = size / 1e6;
            report.value("local copy", mb / (localCopy.median() / 1000), "MB/s");
            report.value("upload", mb / (upload.median() / 1000), "MB/s");
            report.value("download", mb / (download.median() / 1000), "MB/s");
            report.ratio("upload / local copy (MB/s)", localCopy.median() / upload.median(), "");
            report.ratio("download / local copy (MB/s)", localCopy.median() / download.median(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small GET through the port proxy against the same GET straight to the sandbox's address. */
    private void proxyLatency() {
        String id = api.create(Map.of("idleTimeoutSeconds", 3600));
        api.exec(id, "sh", "-c", "mkdir -p /root/site && echo hello > /root/site/hello.txt && (python3 -c \"import http.server as h; "
                + "h.SimpleHTTPRequestHandler.protocol_version = 'HTTP/1.1'; h.SimpleHTTPRequestHandler.disable_nagle_algorithm = True; "
                + "h.ThreadingHTTPServer(('0.0.0.0', 8000), lambda *a: h.SimpleHTTPRequestHandler(*a, directory='/root/site')).serve_forever()\" "
                + ">/dev/null 2>&1 &) && sleep 2");
        String address = api.get(id).path("address").asString();
        URI proxied = api.base().resolve("/v1/sandboxes/" + id + "/ports/8000/hello.txt");
        URI direct = URI.create("http://" + address + ":8000/hello.txt");
        for (int i = 0; i < 5; i++) {
            api.fetch(proxied);
            api.fetch(direct);
        }
        Samples viaProxy = new Samples("GET through the port proxy");
        Samples straight = new Samples("the same GET straight to the sandbox's address");
        for (int i = 0; i < rounds * 5; i++) {
            long start = System.nanoTime();
            api.fetch(proxied);
            viaProxy.since(start);
            start = System.nanoTime();
            api.fetch(direct);
            straight.since(start);
        }
        api.delete(id);
        report.add(viaProxy);
        report.add(straight);
        report.ratio("proxy / direct (p50)", viaProxy.median() / straight.median(), "");
        report.goal("proxy overhead p50", viaProxy.median() - straight.median(), "");
    }

    /**
     * A neighbour's exec latency while another sandbox misbehaves (burns its CPU, fills its disk
     * over and over, bombs its process table, blows its memory), against the neighbour's own
     * latency on a quiet host in the same run. The bomb and the hog take their own sandbox down
     * within a second or two: the rounds right after they start are the ones that count.
     */
    private void noisyNeighbours() {
        String neighbour = api.create(Map.of("idleTimeoutSeconds", 3600));
        for (int i = 0; i < 3; i++) {
            api.exec(neighbour, "true");
        }
        Samples quiet = neighbourExecs(neighbour, "neighbour exec, nothing else running");
        report.add(quiet);
        attack(neighbour, quiet, "a sandbox burning its CPU", Map.of("cpus", 1.0),
                "sh", "-c", "for i in 1 2 3 4; do (while :; do :; done) & done; wait");
        attack(neighbour, quiet, "a sandbox filling its disk over and over", Map.of("diskMb", 1024),
                "sh", "-c", "while :; do dd if=/dev/zero of=/root/f bs=1M count=2000 2>/dev/null; rm -f /root/f; done");
        attack(neighbour, quiet, "a sandbox's fork bomb", Map.of("maxProcesses", 64), "python3", "-c", FORK_BOMB);
        attack(neighbour, quiet, "a sandbox blowing its memory", Map.of("memoryMb", 256), "python3", "-c", MEMORY_HOG);
        api.delete(neighbour);
    }

    private void attack(String neighbour, Samples quiet, String name, Map<String, Object> limits, String... cmd) {
        Map<String, Object> spec = new HashMap<>(limits);
        spec.put("idleTimeoutSeconds", 3600);
        String attacker = api.create(spec);
        api.start(attacker, cmd);
        Samples during = neighbourExecs(neighbour, "neighbour exec, " + name);
        report.add(during);
        report.ratio("neighbour exec p50 beside " + name + " / quiet", during.median() / quiet.median(), "<= 2");
        api.deleteQuietly(attacker);
    }

    private Samples neighbourExecs(String neighbour, String name) {
        Samples samples = new Samples(name);
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            api.exec(neighbour, "true");
            samples.since(start);
        }
        return samples;
    }

    /** A shell command starting a background process that fills {@code megabytes} with random bytes, then writes /tmp/ready. */
    private static String touchedMemory(int megabytes) {
        return "python3 -c 'import os, time\nb = bytearray(" + megabytes + " << 20)\nfor i in range(" + megabytes + "):\n"
                + "    b[i << 20:(i + 1) << 20] = os.urandom(1 << 20)\nopen(\"/tmp/ready\", \"w\").write(\"1\")\ntime.sleep(10 ** 9)'"
                + " >/dev/null 2>&1 &";
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
