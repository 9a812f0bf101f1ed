package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.sandbox.ContainerRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroup (v1) of each container: the freezer that puts a sandbox into standby and wakes it
 * in well under a millisecond, and the accounting files. runsc creates the cgroup from the
 * bundle's {@code cgroupsPath} (sandbox and gofer processes both join it) and removes it on
 * delete; {@link #remove} cleans up after a delete that did not.
 */
final class Cgroups {

    private static final Pattern OOM_KILLS = Pattern.compile("(?m)^oom_kill (\\d+)$");
    private static final Pattern PIDS_REFUSED = Pattern.compile("(?m)^max (\\d+)$");

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> CONTROLLERS = List.of("freezer", "cpuacct", "cpu", "memory", "pids",
            "cpuset", "devices", "blkio", "net_cls", "net_prio", "perf_event", "hugetlb", "systemd");
    private static final Duration FREEZE_ATTEMPT = Duration.ofSeconds(1);
    private static final int FREEZE_ATTEMPTS = 3;
    private static final Duration KILL_LIMIT = Duration.ofSeconds(5);
    private static final long CPU_PERIOD_MICROS = 100_000;
    /** How many times a reclaim asks the kernel at most. */
    private static final int RECLAIM_PASSES = 4;
    /** Close enough to the target: what the kernel keeps beyond it for itself. */
    private static final long RECLAIM_SLACK = 4L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);

    private final String parent;

    Cgroups(String parent) {
        this.parent = parent;
    }

    /** The {@code cgroupsPath} of the container, as written into its bundle. */
    String path(ContainerRef ref) {
        return "/" + parent + "/" + ref.containerId();
    }

    /**
     * Freezes every process of the container and waits until the kernel reports them all
     * frozen. A task in an uninterruptible wait holds the whole cgroup in FREEZING; rarely
     * that lasts, so an attempt that takes too long is undone and tried again.
     */
    void freeze(ContainerRef ref) {
        Path state = freezerState(ref);
        for (int attempt = 1; attempt <= FREEZE_ATTEMPTS; attempt++) {
            write(state, "FROZEN");
            if (awaitFrozen(state)) {
                return;
            }
            write(state, "THAWED");
            log.warn("container {} did not freeze within {} ms (attempt {} of {}); tasks not frozen: {}",
                    ref.containerId(), FREEZE_ATTEMPT.toMillis(), attempt, FREEZE_ATTEMPTS, unfrozenTasks(ref));
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new RuntimeFailureException("container " + ref.containerId() + " did not freeze in " + FREEZE_ATTEMPTS
                + " attempts of " + FREEZE_ATTEMPT.toMillis() + " ms; it keeps running");
    }

    private static boolean awaitFrozen(Path state) {
        long deadline = System.nanoTime() + FREEZE_ATTEMPT.toNanos();
        while (!read(state).equals("FROZEN")) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }

    /** For the log: tasks of the container that are not frozen (frozen ones show as D), with name and state. */
    private String unfrozenTasks(ContainerRef ref) {
        List<String> tasks = new ArrayList<>();
        try {
            for (String pid : Files.readAllLines(controller("freezer", ref).resolve("tasks"))) {
                String status = readQuietly(Path.of("/proc", pid, "status"));
                String name = field(status, "Name:");
                String taskState = field(status, "State:");
                if (!taskState.startsWith("D") && tasks.size() < 20) {
                    tasks.add(pid + " " + name + " " + taskState);
                }
            }
        } catch (IOException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
        return String.join(", ", tasks);
    }

    private static String field(String status, String key) {
        return status.lines().filter(line -> line.startsWith(key)).map(line -> line.substring(key.length()).strip())
                .findFirst().orElse("?");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Limits the container to {@code cpus} cores (CFS quota). Applied after start and restore:
     * restoring a checkpoint is CPU-bound work of the platform, several times slower under a
     * one-core quota.
     */
    void limitCpu(ContainerRef ref, double cpus) {
        Path cpu = controller("cpu", ref);
        write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
        write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(Math.round(cpus * CPU_PERIOD_MICROS)));
    }

    /**
     * Makes the container's memory limit bound its memory and swap together: without it, a
     * sandbox at its limit would spill into the host's swap (which the reclaimed tier switches
     * on) instead of being stopped, and hold more than it was given. A reclaim still moves its
     * pages out (RAM plus swap stays the same). Nothing on a kernel that does not account swap.
     */
    void limitSwap(ContainerRef ref) {
        Path memory = controller("memory", ref);
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            write(memsw, read(memory.resolve("memory.limit_in_bytes")));
        }
    }

    void thaw(ContainerRef ref) {
        write(freezerState(ref), "THAWED");
    }

    boolean isFrozen(ContainerRef ref) {
        Path state = freezerState(ref);
        return Files.exists(state) && !read(state).equals("THAWED");
    }

    ResourceUsage usage(ContainerRef ref) {
        long cpu = Long.parseLong(read(controller("cpuacct", ref).resolve("cpuacct.usage")));
        Path memoryGroup = controller("memory", ref);
        long memory = Long.parseLong(read(memoryGroup.resolve("memory.usage_in_bytes")));
        long peak = Long.parseLong(read(memoryGroup.resolve("memory.max_usage_in_bytes")));
        return new ResourceUsage(cpu, memory, peak);
    }

    /**
     * Why the container's processes were stopped, if its cgroup knows: the kernel's OOM killer
     * at the memory limit (memory.oom_control counts its kills), or the process limit, which the
     * sandbox's own kernel cannot survive (a thread it fails to start is fatal to it).
     */
    Optional<String> stopReason(ContainerRef ref) {
        Path memory = controller("memory", ref);
        if (count(memory.resolve("memory.oom_control"), OOM_KILLS) > 0) {
            long limitMb = Long.parseLong(read(memory.resolve("memory.limit_in_bytes"))) / (1024 * 1024);
            return Optional.of("out of memory: it used all of its " + limitMb + " MiB and was stopped");
        }
        Path pids = controller("pids", ref);
        if (count(pids.resolve("pids.events"), PIDS_REFUSED) > 0) {
            long processes = Long.parseLong(read(pids.resolve("pids.max"))) - OciBundle.HOST_THREADS;
            return Optional.of("too many processes: it reached its limit of " + processes + " and was stopped");
        }
        return Optional.empty();
    }

    /** The number {@code pattern} finds in {@code file}, or 0 if the file or the line is missing. */
    private static long count(Path file, Pattern pattern) {
        if (!Files.exists(file)) {
            return 0;
        }
        Matcher matcher = pattern.matcher(read(file));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /**
     * Kills every process of the container (sandbox, gofer, their children) with SIGKILL and
     * waits, bounded, until they are gone. These are processes the daemon started, found by the
     * cgroup they were started in.
     */
    void killAll(ContainerRef ref) {
        Path procs = controller("freezer", ref).resolve("cgroup.procs");
        long deadline = System.nanoTime() + KILL_LIMIT.toNanos();
        List<Long> alive = processes(procs);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            alive = processes(procs);
        }
        if (!alive.isEmpty()) {
            log.warn("processes {} of container {} survived SIGKILL for {} ms", alive, ref.containerId(), KILL_LIMIT.toMillis());
        }
    }

    /** Whether any process of the container is alive (exited ones leave the cgroup before they are reaped). */
    boolean hasProcesses(ContainerRef ref) {
        return !processes(controller("freezer", ref).resolve("cgroup.procs")).isEmpty();
    }

    private static List<Long> processes(Path procs) {
        if (!Files.exists(procs)) {
            return List.of();
        }
        try {
            return Files.readAllLines(procs).stream().filter(line -> !line.isBlank()).map(Long::parseLong).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes the container's cgroup from every hierarchy; one that still has processes is left. */
    void remove(ContainerRef ref) {
        for (String name : CONTROLLERS) {
            removeTree(controller(name, ref));
        }
    }

    /**
     * The containers that have a cgroup under the parent in any hierarchy: also those whose
     * runsc record is gone (a daemon that died between deleting the record and the cgroup).
     */
    Set<ContainerRef> containers() {
        Set<ContainerRef> found = new HashSet<>();
        for (String name : CONTROLLERS) {
            Path dir = ROOT.resolve(name).resolve(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path child : children) {
                    ContainerRef ref = ContainerRef.parse(child.getFileName().toString());
                    if (ref != null) {
                        found.add(ref);
                    }
                }
            } catch (IOException e) {
                throw new RuntimeFailureException("cannot list the cgroups under " + dir + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    /** Removes the parent cgroup from every hierarchy, once no container is left under it. */
    void removeParent() {
        for (String name : CONTROLLERS) {
            removeTree(ROOT.resolve(name).resolve(parent));
        }
    }

    private Path freezerState(ContainerRef ref) {
        return controller("freezer", ref).resolve("freezer.state");
    }

    private Path controller(String name, ContainerRef ref) {
        return ROOT.resolve(name).resolve(parent).resolve(ref.containerId());
    }

    /** cgroup directories are removed with rmdir, children first; their files go with them. */
    private static void removeTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                removeTree(child);
            }
        } catch (IOException e) {
            return;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Still has processes (a container that is being torn down): the next removal retries.
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new RuntimeFailureException("cgroup file " + file + " does not exist: is the container running?", e);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Pushes the memory of frozen container {@code ref} out to swap: its memory limit is lowered
     * to {@code targetBytes}, which makes the kernel reclaim down to it, and set back, so that its
     * pages can return when touched. The freezer keeps every process still meanwhile.
     *
     * <p>A pass of the kernel gives up (EBUSY) when it finds the pages it scans recently used, and
     * moves them to its active list; the next pass reclaims them only once the cgroup's statistics
     * are brought up to date, which reading {@code memory.stat} does (measured: after a first pass,
     * 294 MiB of 332 stayed put through five more; with memory.stat read between passes, the
     * second left 15 MiB). So it is read before each pass.
     *
     * @return the bytes it holds in RAM afterwards
     */
    long reclaim(ContainerRef ref, long targetBytes) {
        Path memory = controller("memory", ref);
        Path limit = memory.resolve("memory.limit_in_bytes");
        Path usage = memory.resolve("memory.usage_in_bytes");
        String original = read(limit);
        long resident = Long.parseLong(read(usage));
        try {
            for (int pass = 0; pass < RECLAIM_PASSES && resident > targetBytes + RECLAIM_SLACK; pass++) {
                read(memory.resolve("memory.stat"));
                try {
                    Files.writeString(limit, Long.toString(targetBytes), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    // EBUSY: this pass freed what it could; the next one, with fresh statistics, goes on.
                }
                resident = Long.parseLong(read(usage));
            }
        } finally {
            write(limit, original);
        }
        return resident;
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new RuntimeFailureException("cgroup file " + file + " does not exist: is the container running?", e);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }
}
