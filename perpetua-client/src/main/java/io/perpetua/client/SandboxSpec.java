package io.perpetua.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to create a sandbox from. Every part is optional: what is left unset (null, or empty
 * for the maps and the mounts) is not sent, so the daemon's defaults apply.
 *
 * <pre>{@code
 * SandboxSpec spec = SandboxSpec.builder()
 *         .memoryMb(512)
 *         .idleTimeout(Duration.ofSeconds(30))
 *         .label("owner", "me")
 *         .lifecycle(Lifecycle.of(Lifecycle.OnIdle.STANDBY, ExpirationPolicy.ttlIdle(Duration.ofDays(7))))
 *         .volume("project-data", "/data")
 *         .build();
 * }</pre>
 *
 * @param template       the template to start from: {@code default}, or a template of the project
 *                       ({@link Perpetua#templates()}), whose state the sandbox is a copy of and whose
 *                       resources it has (so memoryMb, cpus, diskMb, maxProcesses and maxOpenFiles are
 *                       not given with one); or null for the daemon's default
 * @param idleTimeout    time without activity before the sandbox goes to standby, in whole seconds
 * @param hibernateAfter time in standby before it is checkpointed to disk, in whole seconds
 * @param env            environment variables of every command run in it; never echoed back
 * @param labels         labels to find it by
 * @param memoryMb       memory limit in MiB
 * @param cpus           CPU limit, such as 0.5 or 2
 * @param diskMb         size of its writable disk in MiB
 * @param maxProcesses   processes and threads it may have at once
 * @param maxOpenFiles   files each of its processes may hold open
 * @param network        where it may open connections to, or null for the daemon's default
 * @param lifecycle      what it does once idle and the rules that delete it, or null for the daemon's default
 *                       (perpetual, kept until deleted)
 * @param mounts         the volumes and drives to mount ({@link Perpetua#volumes()}, {@link Perpetua#drives()}), in order
 */
public record SandboxSpec(String template, Duration idleTimeout, Duration hibernateAfter, Map<String, String> env,
                          Map<String, String> labels, Integer memoryMb, Double cpus, Integer diskMb, Integer maxProcesses,
                          Integer maxOpenFiles, NetworkPolicy network, Lifecycle lifecycle, List<Mount> mounts) {

    private static final SandboxSpec DEFAULTS = new SandboxSpec(null, null, null, null, null, null, null, null, null, null, null, null,
            null);

    /**
     * Validates and copies the parts.
     *
     * @throws IllegalArgumentException if a duration is not a positive whole number of seconds,
     *                                  {@code memoryMb} or {@code cpus} is not positive, or a map or the mounts hold null
     */
    public SandboxSpec {
        idleTimeout = Validation.wholeSeconds(idleTimeout, "idleTimeout");
        hibernateAfter = Validation.wholeSeconds(hibernateAfter, "hibernateAfter");
        env = Validation.strings(env, "env");
        labels = Validation.strings(labels, "labels");
        mounts = Validation.mounts(mounts, "mounts");
        if (memoryMb != null && memoryMb <= 0) {
            throw new IllegalArgumentException("memoryMb must be positive but was " + memoryMb);
        }
        if (cpus != null && !(cpus > 0 && Double.isFinite(cpus))) {
            throw new IllegalArgumentException("cpus must be a positive number but was " + cpus);
        }
        for (Integer limit : new Integer[] {diskMb, maxProcesses, maxOpenFiles}) {
            if (limit != null && limit <= 0) {
                throw new IllegalArgumentException("diskMb, maxProcesses and maxOpenFiles must be positive but one was " + limit);
            }
        }
    }

    /**
     * A spec that sets nothing.
     *
     * @return the spec of a sandbox made entirely of the daemon's defaults
     */
    public static SandboxSpec defaults() {
        return DEFAULTS;
    }

    /**
     * A builder that starts from nothing set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from this spec.
     *
     * @return a new builder holding every part of this spec
     */
    public Builder toBuilder() {
        Builder builder = new Builder().template(template).idleTimeout(idleTimeout).hibernateAfter(hibernateAfter)
                .memoryMb(memoryMb).cpus(cpus).diskMb(diskMb).maxProcesses(maxProcesses).maxOpenFiles(maxOpenFiles).network(network)
                .lifecycle(lifecycle);
        builder.env.putAll(env);
        builder.labels.putAll(labels);
        builder.mounts.addAll(mounts);
        return builder;
    }

    /** The body of {@code POST /v1/sandboxes}: only what is set. */
    Map<String, Object> body() {
        return new RequestBody()
                .set("template", template)
                .set("idleTimeoutSeconds", idleTimeout == null ? null : idleTimeout.toSeconds())
                .set("hibernateAfterSeconds", hibernateAfter == null ? null : hibernateAfter.toSeconds())
                .set("env", env)
                .set("labels", labels)
                .set("memoryMb", memoryMb)
                .set("cpus", cpus)
                .set("diskMb", diskMb)
                .set("maxProcesses", maxProcesses)
                .set("maxOpenFiles", maxOpenFiles)
                .set("network", network == null ? null : network.body())
                .set("lifecycle", lifecycle == null ? null : lifecycle.body())
                .set("volumes", bodies(mounts, VolumeKind.VOLUME))
                .set("drives", bodies(mounts, VolumeKind.DRIVE))
                .fields();
    }

    /** The {@code volumes} or {@code drives} of a body: the mounts of that kind, in order. */
    static List<Map<String, Object>> bodies(List<Mount> mounts, VolumeKind kind) {
        return mounts.stream().filter(mount -> mount.kind() == kind).map(Mount::body).toList();
    }

    /** Builds a {@link SandboxSpec}; the parts are checked by {@link #build()}. */
    public static final class Builder {

        private String template;
        private Duration idleTimeout;
        private Duration hibernateAfter;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private Integer memoryMb;
        private Double cpus;
        private Integer diskMb;
        private Integer maxProcesses;
        private Integer maxOpenFiles;
        private NetworkPolicy network;
        private Lifecycle lifecycle;
        private final List<Mount> mounts = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the template to start from.
         *
         * @param template {@code default}, a template of the project ({@link Perpetua#templates()}), or null for the
         *                 daemon's default
         * @return this builder
         */
        public Builder template(String template) {
            this.template = template;
            return this;
        }

        /**
         * Sets the time without activity before the sandbox goes to standby.
         *
         * @param idleTimeout a positive whole number of seconds, or null for the daemon's default (15 s)
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Sets the time in standby before the sandbox is checkpointed to disk.
         *
         * @param hibernateAfter a positive whole number of seconds, or null for the daemon's default (10 min)
         * @return this builder
         */
        public Builder hibernateAfter(Duration hibernateAfter) {
            this.hibernateAfter = hibernateAfter;
            return this;
        }

        /**
         * Adds an environment variable of every command run in the sandbox.
         *
         * @param name  the variable's name
         * @param value its value
         * @return this builder
         */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /**
         * Adds environment variables of every command run in the sandbox.
         *
         * @param variables names and values, added in their iteration order
         * @return this builder
         */
        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /**
         * Adds a label to find the sandbox by.
         *
         * @param name  the label's name
         * @param value its value
         * @return this builder
         */
        public Builder label(String name, String value) {
            labels.put(name, value);
            return this;
        }

        /**
         * Adds labels to find the sandbox by.
         *
         * @param labels names and values, added in their iteration order
         * @return this builder
         */
        public Builder labels(Map<String, String> labels) {
            this.labels.putAll(labels);
            return this;
        }

        /**
         * Sets the memory limit.
         *
         * @param memoryMb MiB, or null for the daemon's default
         * @return this builder
         */
        public Builder memoryMb(Integer memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        /**
         * Sets the CPU limit.
         *
         * @param cpus CPUs, such as 0.5 or 2, or null for the daemon's default
         * @return this builder
         */
        public Builder cpus(Double cpus) {
            this.cpus = cpus;
            return this;
        }

        /**
         * Sets the size of the sandbox's writable disk.
         *
         * @param diskMb MiB, or null for the daemon's default
         * @return this builder
         */
        public Builder diskMb(Integer diskMb) {
            this.diskMb = diskMb;
            return this;
        }

        /**
         * Sets how many processes and threads the sandbox may have at once.
         *
         * @param maxProcesses the limit, or null for the daemon's default
         * @return this builder
         */
        public Builder maxProcesses(Integer maxProcesses) {
            this.maxProcesses = maxProcesses;
            return this;
        }

        /**
         * Sets how many files each process of the sandbox may hold open.
         *
         * @param maxOpenFiles the limit, or null for the daemon's default
         * @return this builder
         */
        public Builder maxOpenFiles(Integer maxOpenFiles) {
            this.maxOpenFiles = maxOpenFiles;
            return this;
        }

        /**
         * Sets where the sandbox may open connections to.
         *
         * @param network the policy, such as {@code NetworkPolicy.allowOnly("pypi.org")}, or null for the daemon's default
         * @return this builder
         */
        public Builder network(NetworkPolicy network) {
            this.network = network;
            return this;
        }

        /**
         * Sets what the sandbox does once idle and the rules that delete it.
         *
         * @param lifecycle the lifecycle, such as {@code Lifecycle.of(Lifecycle.OnIdle.NONE, ExpirationPolicy.ttlMaxAge(Duration.ofHours(8)))},
         *                  or null for the daemon's default (perpetual, kept until deleted)
         * @return this builder
         */
        public Builder lifecycle(Lifecycle lifecycle) {
            this.lifecycle = lifecycle;
            return this;
        }

        /**
         * Adds a volume or drive to mount.
         *
         * @param mount what to mount where, such as {@code Mount.volume("project-data", "/data")}
         * @return this builder
         */
        public Builder mount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        /**
         * Adds a volume to mount read-write: the sandbox is then its one writer while it lives, and
         * a create that would be a second is refused with a {@link ConflictException} of the code
         * {@code volume_in_use}.
         *
         * @param idOrName  the volume's id or name ({@link Perpetua#volumes()})
         * @param mountPath where it appears in the sandbox, such as {@code /data}
         * @return this builder
         * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
         */
        public Builder volume(String idOrName, String mountPath) {
            return mount(Mount.volume(idOrName, mountPath));
        }

        /**
         * Adds a volume to mount.
         *
         * @param idOrName  the volume's id or name ({@link Perpetua#volumes()})
         * @param mountPath where it appears in the sandbox, such as {@code /data}
         * @param readOnly  true to only read it, which any number of sandboxes may do alongside its writer
         * @return this builder
         * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
         */
        public Builder volume(String idOrName, String mountPath, boolean readOnly) {
            return mount(Mount.volume(idOrName, mountPath, readOnly));
        }

        /**
         * Adds a drive to mount read-write, as any number of sandboxes may at once.
         *
         * @param idOrName  the drive's id or name ({@link Perpetua#drives()})
         * @param mountPath where it appears in the sandbox, such as {@code /shared}
         * @return this builder
         * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
         */
        public Builder drive(String idOrName, String mountPath) {
            return mount(Mount.drive(idOrName, mountPath));
        }

        /**
         * Adds a drive to mount.
         *
         * @param idOrName  the drive's id or name ({@link Perpetua#drives()})
         * @param mountPath where it appears in the sandbox, such as {@code /shared}
         * @param readOnly  true to only read it
         * @return this builder
         * @throws IllegalArgumentException if {@code idOrName} is blank or {@code mountPath} is not absolute
         */
        public Builder drive(String idOrName, String mountPath, boolean readOnly) {
            return mount(Mount.drive(idOrName, mountPath, readOnly));
        }

        /**
         * Validates the parts and builds the spec.
         *
         * @return a new spec
         * @throws IllegalArgumentException when a part is out of range, as the constructor does
         */
        public SandboxSpec build() {
            return new SandboxSpec(template, idleTimeout, hibernateAfter, env, labels, memoryMb, cpus, diskMb, maxProcesses, maxOpenFiles,
                    network, lifecycle, mounts);
        }
    }
}
