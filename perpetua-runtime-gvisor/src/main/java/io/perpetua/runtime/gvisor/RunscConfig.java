package io.perpetua.runtime.gvisor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the gVisor runtime runs.
 *
 * @param runsc        the runsc program, a path or a name looked up on PATH
 * @param directory    where the runtime keeps its state: runsc's state root, templates and one
 *                     directory per sandbox (its bundle, writable layers and mount point)
 * @param platform     runsc's platform: {@code ptrace} on hosts without virtualisation,
 *                     {@code kvm} where /dev/kvm works, {@code systrap} on newer runsc
 * @param cgroupParent the cgroup (v1 hierarchy path, relative to each controller's root) under
 *                     which each container gets its own cgroup
 * @param network      whether and how sandboxes get a network
 * @param swapMb       the size of the swap file that reclaimed sandboxes' memory goes to, in MiB; 0: none, and no reclaimed tier
 */
public record RunscConfig(String runsc, Path directory, String platform, String cgroupParent, NetworkConfig network, long swapMb) {

    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9]+");
    private static final Pattern CGROUP = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    /** Checks that every value is present and well formed. */
    public RunscConfig {
        Objects.requireNonNull(runsc, "runsc");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(network, "network");
        directory = directory.toAbsolutePath().normalize();
        if (platform == null || !PLATFORM.matcher(platform).matches()) {
            throw new IllegalArgumentException("platform must be a runsc platform name such as ptrace or kvm but was '" + platform + "'");
        }
        if (cgroupParent == null || !CGROUP.matcher(cgroupParent).matches()) {
            throw new IllegalArgumentException("cgroupParent must be a relative cgroup path such as 'perpetua' but was '" + cgroupParent + "'");
        }
        if (swapMb < 0) {
            throw new IllegalArgumentException("swapMb must not be negative but was " + swapMb);
        }
    }

    /** A configuration without swap (no reclaimed tier). */
    public RunscConfig(String runsc, Path directory, String platform, String cgroupParent, NetworkConfig network) {
        this(runsc, directory, platform, cgroupParent, network, 0);
    }

    /** A configuration without sandbox networks. */
    public RunscConfig(String runsc, Path directory, String platform, String cgroupParent) {
        this(runsc, directory, platform, cgroupParent, NetworkConfig.NONE);
    }

    /** The defaults: runsc from PATH, the ptrace platform, cgroups under {@code perpetua}, no network. */
    public static RunscConfig defaults(Path directory) {
        return new RunscConfig("runsc", directory, "ptrace", "perpetua");
    }

    Path swapFile() {
        return directory.resolve("swap").resolve("swapfile");
    }

    Path stateRoot() {
        return directory.resolve("runsc");
    }

    Path sandboxesDirectory() {
        return directory.resolve("sandboxes");
    }

    Path volumesDirectory() {
        return directory.resolve("volumes");
    }

    Path templatesDirectory() {
        return directory.resolve("templates");
    }
}
