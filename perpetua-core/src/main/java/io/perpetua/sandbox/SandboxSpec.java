package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a sandbox is made of and how it sleeps: everything a caller chooses at creation.
 * Absent optional values ({@code null}) mean "the server's default"; {@link #withDefaults}
 * fills them in.
 *
 * @param template       name of the root filesystem template, {@code default} unless given
 * @param idleTimeout    time without activity before the sandbox goes to standby
 * @param hibernateAfter time in standby before the sandbox is checkpointed to disk
 * @param env            environment of every process in the sandbox
 * @param labels         free-form key/value metadata for the caller
 * @param memoryMb       memory limit of the sandbox in MiB
 * @param cpus           CPU limit of the sandbox, in cores
 * @param diskMb         size of the sandbox's writable disk in MiB: every file it writes, anywhere
 * @param maxProcesses   processes (and threads) the sandbox may have at once
 * @param maxOpenFiles   files each process of the sandbox may hold open
 * @param network        where the sandbox may open connections to; the only part that may change later
 */
public record SandboxSpec(String template, Duration idleTimeout, Duration hibernateAfter,
                          Map<String, String> env, Map<String, String> labels, Integer memoryMb, Double cpus,
                          Integer diskMb, Integer maxProcesses, Integer maxOpenFiles, NetworkPolicy network) {

    /** Longest idle window or standby period a caller may ask for: a year. */
    public static final Duration MAX_DURATION = Duration.ofDays(366);
    /** Smallest memory limit a sandbox can run with. */
    public static final int MIN_MEMORY_MB = 64;
    /** Largest memory limit a caller may ask for. */
    public static final int MAX_MEMORY_MB = 256 * 1024;
    /** Largest CPU limit a caller may ask for. */
    public static final double MAX_CPUS = 256;
    /** Smallest and largest writable disk, in MiB. */
    public static final int MIN_DISK_MB = 64;
    public static final int MAX_DISK_MB = 16 * 1024 * 1024;
    /** Fewest and most processes. */
    public static final int MIN_PROCESSES = 16;
    public static final int MAX_PROCESSES = 65536;
    /** Fewest and most open files per process. */
    public static final int MIN_OPEN_FILES = 64;
    public static final int MAX_OPEN_FILES = 1048576;

    private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** @throws InvalidInputException naming the first field that is out of range */
    public SandboxSpec {
        InvalidInputException.check(template == null || TEMPLATE_NAME.matcher(template).matches(), "template",
                "template must be 1-63 characters of [a-z0-9._-] but was '" + template + "'");
        idleTimeout = Validation.positive(idleTimeout, MAX_DURATION, "idleTimeoutSeconds");
        hibernateAfter = Validation.positive(hibernateAfter, MAX_DURATION, "hibernateAfterSeconds");
        env = Validation.env(env, "env");
        labels = Validation.labels(labels);
        InvalidInputException.check(memoryMb == null || (memoryMb >= MIN_MEMORY_MB && memoryMb <= MAX_MEMORY_MB),
                "memoryMb", "memoryMb must be between " + MIN_MEMORY_MB + " and " + MAX_MEMORY_MB + " but was " + memoryMb);
        InvalidInputException.check(cpus == null || (cpus >= 0.1 && cpus <= MAX_CPUS), "cpus",
                "cpus must be between 0.1 and " + MAX_CPUS + " but was " + cpus);
        Validation.range(diskMb, MIN_DISK_MB, MAX_DISK_MB, "diskMb");
        Validation.range(maxProcesses, MIN_PROCESSES, MAX_PROCESSES, "maxProcesses");
        Validation.range(maxOpenFiles, MIN_OPEN_FILES, MAX_OPEN_FILES, "maxOpenFiles");
        network = network == null ? NetworkPolicy.DEFAULT : network;
    }

    /** A spec with the server's disk, process and open-file limits and the default network policy. */
    public SandboxSpec(String template, Duration idleTimeout, Duration hibernateAfter,
                       Map<String, String> env, Map<String, String> labels, Integer memoryMb, Double cpus) {
        this(template, idleTimeout, hibernateAfter, env, labels, memoryMb, cpus, null, null, null, NetworkPolicy.DEFAULT);
    }

    /** This spec with {@code policy} as its network policy. */
    public SandboxSpec withNetwork(NetworkPolicy policy) {
        return new SandboxSpec(template, idleTimeout, hibernateAfter, env, labels, memoryMb, cpus, diskMb, maxProcesses, maxOpenFiles,
                policy);
    }

    /** A spec with every optional value left to the server. */
    public static SandboxSpec defaults() {
        return new SandboxSpec(null, null, null, null, null, null, null);
    }

    /** This spec with each absent value taken from {@code defaults}. */
    public SandboxSpec withDefaults(SandboxSpec defaults) {
        return new SandboxSpec(
                template != null ? template : defaults.template,
                idleTimeout != null ? idleTimeout : defaults.idleTimeout,
                hibernateAfter != null ? hibernateAfter : defaults.hibernateAfter,
                env, labels,
                memoryMb != null ? memoryMb : defaults.memoryMb,
                cpus != null ? cpus : defaults.cpus,
                diskMb != null ? diskMb : defaults.diskMb,
                maxProcesses != null ? maxProcesses : defaults.maxProcesses,
                maxOpenFiles != null ? maxOpenFiles : defaults.maxOpenFiles,
                network);
    }
}
