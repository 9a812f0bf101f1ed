package io.perpetua.bench;

import io.perpetua.runtime.gvisor.NetworkConfig;
import io.perpetua.runtime.gvisor.RunscConfig;
import io.perpetua.runtime.gvisor.RunscRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Snapshots, rollbacks and forks of a running sandbox, on the runtime (the API has none yet): a
 * sandbox whose process holds {@code mb} MB of memory it filled (incompressible) and whose disk
 * holds 50 MB of files, against the plain checkpoint and restore of the same sandbox (what
 * hibernating and waking it costs), in the same run; with the size the snapshot takes on the
 * host's disk. Then five forks of the 200 MB one until all five answer, against five new
 * sandboxes each building the same state again.
 */
final class SnapshotBenchmark {

    private static final String SUBNET = "10.234.0.0/16";
    private static final int FORKS = 5;
    private static final SandboxSpec SPEC = new SandboxSpec("default", Duration.ofHours(1), Duration.ofHours(1), Map.of(), Map.of(),
            1024, 1.0);

    private final Path data;
    private ContainerRef ref;

    SnapshotBenchmark(Path data) {
        this.data = data;
    }

    void run(int rounds, Report report) {
        Path directory = data.resolve("snapshot-bench");
        String cgroupParent = "perpetua-bench-snapshots-" + Long.toHexString(System.nanoTime());
        RunscRuntime runtime = new RunscRuntime(new RunscConfig("runsc", directory, "ptrace", cgroupParent,
                new NetworkConfig(true, SUBNET)));
        try {
            for (int mb : List.of(50, 200)) {
                measure(runtime, directory, mb, rounds, report);
            }
            forksVersusRebuilding(runtime, directory, 200, report);
        } finally {
            runtime.purge();
        }
    }

    /** A new sandbox with the state the measurements start from: {@code mb} MB filled by a process, 50 MB of files. */
    private static ContainerRef withState(RunscRuntime runtime, int mb) {
        ContainerRef sandbox = new ContainerRef(SandboxId.random(), 1);
        runtime.start(sandbox, SPEC);
        String holder = "import os,time; b=bytearray(os.urandom(" + mb + " << 20)); open('/tmp/ready','w').write('1'); time.sleep(86400)";
        exec(runtime, sandbox, "sh", "-c", "python3 -c \"" + holder + "\" > /dev/null 2>&1 & head -c 50000000 /dev/urandom > /root/data.bin");
        exec(runtime, sandbox, "sh", "-c", "until test -e /tmp/ready; do sleep 0.2; done");
        return sandbox;
    }

    private void forksVersusRebuilding(RunscRuntime runtime, Path directory, int mb, Report report) {
        ContainerRef source = withState(runtime, mb);
        Path image = directory.resolve("fork-source");
        Path disk = directory.resolve("fork-source.img");
        ContainerRef next = source.next();
        runtime.snapshot(source, next, SPEC, image, disk);
        List<ContainerRef> made = new ArrayList<>(List.of(next));
        try {
            Samples forks = new Samples(FORKS + " forks of a sandbox with " + mb + " MB touched, until all answer");
            long start = System.nanoTime();
            for (int i = 0; i < FORKS; i++) {
                ContainerRef fork = new ContainerRef(SandboxId.random(), 1);
                runtime.fork(fork, SPEC, image, disk);
                made.add(fork);
                exec(runtime, fork, "test", "-e", "/tmp/ready");
            }
            forks.since(start);
            Samples rebuilt = new Samples(FORKS + " new sandboxes building the same state again");
            start = System.nanoTime();
            for (int i = 0; i < FORKS; i++) {
                made.add(withState(runtime, mb));
            }
            rebuilt.since(start);
            report.add(forks);
            report.add(rebuilt);
            report.ratio(FORKS + " forks / " + FORKS + " rebuilt, " + mb + " MB touched", forks.median() / rebuilt.median(), "");
        } finally {
            made.forEach(sandbox -> runtime.destroy(sandbox.sandbox()));
        }
    }

    private void measure(RunscRuntime runtime, Path directory, int mb, int rounds, Report report) {
        ref = withState(runtime, mb);
        Samples plain = new Samples("checkpoint + restore, " + mb + " MB touched");
        Samples snapshot = new Samples("snapshot (checkpoint + disk copy + restore), " + mb + " MB touched");
        Samples rollback = new Samples("rollback to the snapshot, " + mb + " MB touched");
        long imageBytes = 0;
        long diskBytes = 0;
        for (int i = 0; i < rounds; i++) {
            Path image = directory.resolve("plain-" + mb + "-" + i);
            long start = System.nanoTime();
            runtime.checkpoint(ref, image);
            ContainerRef next = ref.next();
            runtime.restore(next, SPEC, image);
            plain.since(start);
            ref = next;

            Path snapshotImage = directory.resolve("snapshot-" + mb + "-" + i);
            Path disk = directory.resolve("snapshot-" + mb + "-" + i + ".img");
            start = System.nanoTime();
            next = ref.next();
            runtime.snapshot(ref, next, SPEC, snapshotImage, disk);
            snapshot.since(start);
            ref = next;
            imageBytes = allocated(snapshotImage);
            diskBytes = allocated(disk);

            start = System.nanoTime();
            next = ref.next();
            runtime.rollback(ref, next, SPEC, snapshotImage, disk);
            rollback.since(start);
            ref = next;
            exec(runtime, ref, "test", "-e", "/tmp/ready");
        }
        runtime.destroy(ref.sandbox());
        report.add(plain);
        report.add(snapshot);
        report.add(rollback);
        report.ratio("snapshot / checkpoint + restore, " + mb + " MB touched", snapshot.median() / plain.median(), "");
        report.value("snapshot on disk, " + mb + " MB touched: image", imageBytes / 1e6, "MB");
        report.value("snapshot on disk, " + mb + " MB touched: disk copy (50 MB of files)", diskBytes / 1e6, "MB");
    }

    private static void exec(RunscRuntime runtime, ContainerRef sandbox, String... cmd) {
        ExecResult result = runtime.exec(sandbox, new ExecRequest(List.of(cmd), null, Map.of(), null, Duration.ofMinutes(5)));
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + result.exitCode() + "): " + result.stderr());
        }
    }

    /** Bytes the host's disk holds for {@code path} (a sparse file's allocated blocks, a directory's files). */
    private static long allocated(Path path) {
        try {
            Process du = new ProcessBuilder("du", "-s", "-B1", path.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes());
            du.waitFor();
            return Long.parseLong(out.strip().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
