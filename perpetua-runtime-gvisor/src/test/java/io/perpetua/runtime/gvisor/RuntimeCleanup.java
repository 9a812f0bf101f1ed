package io.perpetua.runtime.gvisor;

import io.perpetua.sandbox.ContainerRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Removes every trace a test runtime left: containers, mounts, cgroups and files. */
final class RuntimeCleanup {

    private RuntimeCleanup() {
    }

    static void removeEverything(RunscRuntime runtime, Path directory, String cgroupParent) {
        if (runtime != null) {
            for (ContainerRef ref : runtime.containers()) {
                runtime.remove(ref);
            }
            runtime.sandboxes().forEach(runtime::destroy);
            runtime.close();
        }
        for (String controller : List.of("freezer", "cpuacct", "cpu", "memory", "pids", "cpuset", "devices", "blkio",
                "net_cls", "net_prio", "perf_event", "hugetlb", "systemd")) {
            try {
                Files.deleteIfExists(Path.of("/sys/fs/cgroup", controller, cgroupParent));
            } catch (Exception e) {
                // Not created in this hierarchy, or still in use: nothing more a test can do.
            }
        }
        Mounts.unmountAll(directory);
        FileTrees.delete(directory);
    }
}
