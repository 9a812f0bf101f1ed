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
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The cgroup (v1) of each container: the freezer that puts a sandbox into standby and wakes it
 * in well under a millisecond, and the accounting files. runsc creates the cgroup from the
 * bundle's {@code cgroupsPath} (sandbox and gofer processes both join it) and removes it on
 * delete; {@link #remove} cleans up after a delete that did not.
 */
final class Cgroups {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> CONTROLLERS = List.of("freezer", "cpuacct", "cpu", "memory", "pids",
            "cpuset", "devices", "blkio", "net_cls", "net_prio", "perf_event", "hugetlb", "systemd");
    private static final Duration FREEZE_LIMIT = Duration.ofSeconds(5);

    private final String parent;

    Cgroups(String parent) {
        this.parent = parent;
    }

    /** The {@code cgroupsPath} of the container, as written into its bundle. */
    String path(ContainerRef ref) {
        return "/" + parent + "/" + ref.containerId();
    }

    /** Freezes every process of the container and waits until the kernel reports them all frozen. */
    void freeze(ContainerRef ref) {
        Path state = freezerState(ref);
        write(state, "FROZEN");
        long deadline = System.nanoTime() + FREEZE_LIMIT.toNanos();
        while (!read(state).equals("FROZEN")) {
            if (System.nanoTime() > deadline) {
                write(state, "THAWED");
                throw new RuntimeFailureException("container " + ref.containerId() + " did not freeze within "
                        + FREEZE_LIMIT.toSeconds() + " s; it was thawed again");
            }
            LockSupport.parkNanos(100_000);
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
        long memory = Long.parseLong(read(controller("memory", ref).resolve("memory.usage_in_bytes")));
        return new ResourceUsage(cpu, memory);
    }

    /** Removes the container's cgroup from every hierarchy; one that still has processes is left. */
    void remove(ContainerRef ref) {
        for (String name : CONTROLLERS) {
            removeTree(controller(name, ref));
        }
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
