package io.perpetua.runtime.gvisor;

import java.nio.file.Path;

/** Removes every trace a test runtime left: containers, mounts, cgroups and files. */
final class RuntimeCleanup {

    private RuntimeCleanup() {
    }

    static void removeEverything(RunscRuntime runtime, Path directory) {
        if (runtime != null) {
            runtime.purge();
        }
        Mounts.unmountAll(directory);
        FileTrees.delete(directory);
    }
}
