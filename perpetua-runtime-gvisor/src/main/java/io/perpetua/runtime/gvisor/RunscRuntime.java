package io.perpetua.runtime.gvisor;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.HostMemory;
import io.perpetua.lifecycle.LifecycleSettings;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.runtime.SandboxHelper;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.volume.VolumeMount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sandboxes in gVisor. Each sandbox has a directory on the host (see
 * {@link SandboxDirectory}) whose overlay root survives every container; each container
 * (one per generation) has its own cgroup, through whose freezer it is put into standby and
 * woken without calling runsc.
 */
public final class RunscRuntime implements SandboxRuntime {

    private static final Logger log = LoggerFactory.getLogger(RunscRuntime.class);
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(30);
    /** A checkpoint waits this long, this many times, for the sandbox's TCP connections to close. */
    private static final Duration CONNECTION_WAIT = Duration.ofMillis(500);
    private static final int CONNECTION_ATTEMPTS = 4;

    private final RunscConfig config;
    private final RunscCli runsc;
    private final Cgroups cgroups;
    private final SandboxNetwork network;
    private final CommandExecution execution;
    private final DefaultTemplate template;
    private final ExecutorService reaper;
    private final Map<ContainerRef, Future<?>> pendingDeletes = new ConcurrentHashMap<>();
    private static final int RUNSC_FAILURE = 128;

    private final long hostMemoryBytes;
    private final ImageRoots images;
    private final VolumeDisks volumeDisks;
    private final SwapSpace swap;
    /** What a reclaimed sandbox keeps in RAM at most: the kernel gives the rest to swap. */
    private static final long RECLAIM_TARGET_BYTES = 16L * 1024 * 1024;
    private volatile WarmPool warmPool;
    private final Map<String, WarmPool> warmCopies = new ConcurrentHashMap<>();

    /**
     * Prepares the runtime's directories and the default template (built on first use).
     *
     * @throws RuntimeFailureException if runsc is missing or the template cannot be built
     */
    public RunscRuntime(RunscConfig config) {
        this.config = config;
        this.runsc = new RunscCli(config);
        this.cgroups = new Cgroups(config.cgroupParent());
        this.network = new SandboxNetwork(config.network());
        this.execution = new CommandExecution(runsc);
        createDirectories(config);
        HostCommand.run(List.of(config.runsc(), "--version"), Duration.ofSeconds(30)).orThrow("runsc --version");
        new LeftoverCommands(config.stateRoot()).settle(RunscCli.SLOW);
        this.template = DefaultTemplate.ensure(config.templatesDirectory());
        this.images = new ImageRoots(config.templatesDirectory().resolve("images"), template);
        images.sweep();
        this.volumeDisks = new VolumeDisks(config.volumesDirectory());
        this.swap = SwapSpace.prepare(config.swapFile(), config.swapMb());
        network.prepareHost();
        sandboxes().forEach(id -> network.claim(directory(id)));
        this.hostMemoryBytes = HostMemory.totalBytes();
        this.reaper = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("perpetua-runsc-reaper-", 1).daemon().factory());
    }

    @Override
    public void validate(SandboxSpec spec) {
        InvalidInputException.check(DefaultTemplate.NAME.equals(spec.template()) || images.find(spec.template()).isPresent(), "template",
                "template '" + spec.template() + "' does not exist; available: " + DefaultTemplate.NAME + " and the project's templates");
        long memory = spec.memoryMb() * 1024L * 1024L;
        InvalidInputException.check(memory <= hostMemoryBytes, "memoryMb",
                "memoryMb " + spec.memoryMb() + " exceeds the host's memory of " + hostMemoryBytes / (1024 * 1024) + " MiB");
        int cores = Runtime.getRuntime().availableProcessors();
        InvalidInputException.check(spec.cpus() <= cores, "cpus",
                "cpus " + spec.cpus() + " exceeds the host's " + cores + " cores");
        if (spec.diskMb() != null) {
            long diskBytes = spec.diskMb() * 1024L * 1024L;
            long hostDisk = hostDiskBytes();
            InvalidInputException.check(diskBytes <= hostDisk, "diskMb",
                    "diskMb " + spec.diskMb() + " exceeds the size of the host's disk for sandboxes, " + hostDisk / (1024 * 1024) + " MiB");
        }
    }

    /** Size of the file system holding the sandboxes' disks (sparse: they take only what is written). */
    private long hostDiskBytes() {
        try {
            Files.createDirectories(config.sandboxesDirectory());
            return Files.getFileStore(config.sandboxesDirectory()).getTotalSpace();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the size of " + config.sandboxesDirectory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void start(ContainerRef ref, SandboxSpec spec) {
        SandboxDirectory directory = directory(ref.sandbox());
        RootFilesystem root = root(spec.template());
        directory.mount(root, spec.withDefaults(LifecycleSettings.PRODUCT_LIMITS).diskMb());
        directory.recordRoot(spec.template());
        new SandboxMounts(directory).prepare(volumeDisks::mounted);
        OciBundle.write(directory, root, spec, cgroups.path(ref), networkNamespace(directory, ref.sandbox(), spec.network()));
        try {
            runsc.run(ref, directory.bundle(), directory.log());
            cgroups.limitSwap(ref);
            cgroups.limitCpu(ref, spec.cpus());
        } catch (RuntimeException e) {
            removeQuietly(ref);
            throw e;
        }
    }

    /**
     * Keeps {@code size} sandboxes of {@code shape} started and frozen, so that creating one of
     * that shape costs a thaw instead of a runsc run. Call after recovery: recovery removes
     * every sandbox the store does not know, pooled ones included.
     */
    public void keepWarm(int size, SandboxSpec shape) {
        validate(shape);
        WarmPool pool = new WarmPool(size, shape, pooled(this::start));
        warmPool = pool;
        pool.fill();
    }

    @Override
    public void keepWarmCopies(String key, int size, SandboxSpec shape, Path imageDirectory, Path diskCopy) {
        WarmPool pool = new WarmPool(size, shape, pooled((ref, spec) -> fork(ref, spec, imageDirectory, diskCopy)));
        WarmPool replaced = warmCopies.put(key, pool);
        if (replaced != null) {
            replaced.close();
        }
        pool.fill();
    }

    @Override
    public int warmCopies(String key) {
        WarmPool pool = warmCopies.get(key);
        return pool == null ? 0 : pool.readyCount();
    }

    @Override
    public void dropWarmCopies(String key) {
        WarmPool dropped = warmCopies.remove(key);
        if (dropped != null) {
            dropped.close();
        }
    }

    @Override
    public Optional<SandboxId> takeWarmCopy(String key, SandboxSpec spec) {
        WarmPool pool = warmCopies.get(key);
        return pool == null ? Optional.empty() : claim(pool, spec);
    }

    /** How a pool starts, warms, freezes and removes its sandboxes, given how it starts one. */
    private WarmPool.Containers pooled(BiConsumer<ContainerRef, SandboxSpec> starting) {
        return new WarmPool.Containers() {
            @Override
            public void start(ContainerRef ref, SandboxSpec spec) {
                starting.accept(ref, spec);
            }

            @Override
            public void warmUp(ContainerRef ref) {
                exec(ref, ExecRequest.of("true"));
            }

            @Override
            public void freeze(ContainerRef ref) {
                cgroups.freeze(ref);
            }

            @Override
            public void destroy(SandboxId sandbox) {
                RunscRuntime.this.destroy(sandbox);
            }
        };
    }

    /** How many warm sandboxes are ready to be taken. */
    public int warmSandboxes() {
        WarmPool pool = warmPool;
        return pool == null ? 0 : pool.readyCount();
    }

    @Override
    public Optional<SandboxId> takeWarm(SandboxSpec spec) {
        WarmPool pool = warmPool;
        return pool == null ? Optional.empty() : claim(pool, spec);
    }

    private Optional<SandboxId> claim(WarmPool pool, SandboxSpec spec) {
        Optional<SandboxId> taken = pool.take(spec);
        taken.ifPresent(id -> {
            ContainerRef ref = new ContainerRef(id, 1);
            cgroups.thaw(ref);
            cgroups.limitCpu(ref, spec.cpus());
        });
        return taken;
    }

    /**
     * Runs a command through the sandbox's agent, or through {@code runsc exec} when no agent
     * answers. The agent saves the runsc client's start-up and the {@code run} helper's exec:
     * most of what a command costs.
     */
    @Override
    public ExecResult exec(ContainerRef ref, ExecRequest request) {
        ExecResult result = address(ref.sandbox()).flatMap(agent -> SandboxAgent.run(agent, request, () -> cgroups.hasProcesses(ref)))
                .orElseGet(() -> execution.run(ref, request));
        // 128 is runsc exec's own failure, and the agent's lost command; if the sandbox died meanwhile, that is the news.
        if (result.exitCode() == RUNSC_FAILURE && status(ref) == ContainerStatus.STOPPED) {
            throw new RuntimeFailureException("sandbox_stopped", "sandbox " + ref.sandbox() + " stopped while running "
                    + request.cmd().getFirst() + cgroups.stopReason(ref).map(reason -> ": " + reason).orElse(""), null);
        }
        return result;
    }

    @Override
    public RunningCommand spawn(ContainerRef ref, ExecRequest request) {
        return execution.spawn(ref, request);
    }

    /** Through the sandbox's agent, which alone can leave a command running when its caller goes. */
    @Override
    public Optional<RunningCommand> startDetached(ContainerRef ref, ExecRequest request) {
        return address(ref.sandbox()).flatMap(agent -> SandboxAgent.startDetached(agent, request, () -> cgroups.hasProcesses(ref)));
    }

    @Override
    public void freeze(ContainerRef ref) {
        cgroups.freeze(ref);
    }

    @Override
    public void thaw(ContainerRef ref) {
        cgroups.thaw(ref);
    }

    @Override
    public OptionalLong reclaimMemory(ContainerRef ref) {
        if (!swap.isOn()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(cgroups.reclaim(ref, RECLAIM_TARGET_BYTES));
    }

    @Override
    public void checkpoint(ContainerRef ref, Path imageDirectory) {
        if (network.enabled()) {
            awaitNoConnections(ref);
        }
        refuseFilesACheckpointCannotKeep(ref);
        runsc.checkpoint(ref, imageDirectory, directory(ref.sandbox()).log());
        forget(ref);
    }

    /**
     * This runsc cannot checkpoint a container and leave it running ({@code --leave-running}
     * hangs and breaks the container): the container is checkpointed, which stops it, its disk
     * copied while nothing writes to it, and the next container restored from the image at once.
     */
    @Override
    public void snapshot(ContainerRef ref, ContainerRef next, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        long started = System.nanoTime();
        checkpoint(ref, imageDirectory);
        long checkpointed = System.nanoTime();
        RuntimeException copyFailure = null;
        try {
            noteRoot(directory(ref.sandbox()), imageDirectory);
            directory(ref.sandbox()).copyDisk(diskCopy);
        } catch (RuntimeException e) {
            copyFailure = e;
        }
        long copied = System.nanoTime();
        restore(next, spec, imageDirectory);
        log.info("snapshot of {} in {} ms: checkpoint {}, disk copy {}, restore {}", ref.sandbox(), millis(System.nanoTime() - started),
                millis(checkpointed - started), millis(copied - checkpointed), millis(System.nanoTime() - copied));
        if (copyFailure != null) {
            throw copyFailure;
        }
    }

    @Override
    public void copyFiles(SandboxId sandbox, Path imageDirectory, Path diskCopy) {
        SandboxDirectory directory = directory(sandbox);
        noteRoot(directory, imageDirectory);
        directory.copyDisk(diskCopy);
    }

    @Override
    public void rollback(ContainerRef ref, ContainerRef next, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        long started = System.nanoTime();
        remove(ref);
        CrashPoint.ROLLBACK_REMOVED.reach();
        directory(ref.sandbox()).takeDisk(diskCopy);
        long replaced = System.nanoTime();
        restore(next, spec, imageDirectory);
        log.info("rolled {} back in {} ms: disk {}, restore {}", ref.sandbox(), millis(System.nanoTime() - started),
                millis(replaced - started), millis(System.nanoTime() - replaced));
    }

    /**
     * runsc restore gives the sandbox the address its network namespace holds, not the one in
     * the image: each fork gets its own slot, as any new sandbox does, and no NAT is needed.
     */
    @Override
    public void fork(ContainerRef ref, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        try {
            SandboxDirectory directory = directory(ref.sandbox());
            directory.takeDisk(diskCopy);
            directory.recordRoot(SandboxDirectory.readRoot(imageDirectory).orElse(DefaultTemplate.NAME));
            restore(ref, spec, imageDirectory);
            runsc.setHostname(ref, OciBundle.hostname(directory));
        } catch (RuntimeException e) {
            destroy(ref.sandbox());
            throw e;
        }
    }

    /** The root file system {@code name}: the default template's, or an imported image's. */
    private RootFilesystem root(String name) {
        if (DefaultTemplate.NAME.equals(name)) {
            return template;
        }
        return images.find(name).orElseThrow(() -> new RuntimeFailureException("root_missing", "the root file system '" + name
                + "' this sandbox is on was deleted: it cannot be started or restored", null));
    }

    /** A snapshot names the root its sandbox is on, so that a copy of it is overlaid on the same. */
    private static void noteRoot(SandboxDirectory directory, Path imageDirectory) {
        try {
            Files.writeString(imageDirectory.resolve(SandboxDirectory.ROOT_NAME), directory.recordedRoot().orElse(DefaultTemplate.NAME));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot note the root in " + imageDirectory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void importImage(String name, Path source) {
        images.importImage(name, source);
    }

    @Override
    public void importImage(String name, InputStream archive) {
        images.importArchive(name, archive);
    }

    @Override
    public void deleteImage(String name) {
        for (SandboxId sandbox : sandboxes()) {
            if (directory(sandbox).recordedRoot().filter(name::equals).isPresent()) {
                throw new ConflictException("image_in_use", "image " + name + " is the root of sandbox " + sandbox);
            }
        }
        images.delete(name);
    }

    @Override
    public Set<String> images() {
        return images.names();
    }

    @Override
    public void createVolume(String id, int sizeMb) {
        long hostDisk = hostDiskBytes();
        InvalidInputException.check(sizeMb * 1024L * 1024L <= hostDisk, "sizeMb",
                "sizeMb " + sizeMb + " exceeds the size of the host's disk for volumes, " + hostDisk / (1024 * 1024) + " MiB");
        volumeDisks.create(id, sizeMb);
    }

    @Override
    public void deleteVolume(String id) {
        volumeDisks.delete(id);
    }

    @Override
    public Set<String> volumes() {
        return volumeDisks.ids();
    }

    @Override
    public long volumeBytes(String id) {
        return volumeDisks.storedBytes(id);
    }

    @Override
    public void mount(ContainerRef ref, List<VolumeMount> mounts) {
        SandboxMounts sandboxMounts = new SandboxMounts(directory(ref.sandbox()));
        for (VolumeMount mount : mounts) {
            sandboxMounts.bindOnHost(mount, volumeDisks.mounted(mount.volumeId()));
        }
        runsc.runPrivileged(ref, SandboxMounts.insideScript(mounts), "mounting volumes");
        sandboxMounts.record(mounts);
    }

    @Override
    public List<VolumeMount> mounts(SandboxId sandbox) {
        return new SandboxMounts(directory(sandbox)).recorded();
    }

    @Override
    public void repair(SandboxId sandbox) {
        directory(sandbox).repair();
    }

    @Override
    public boolean checkpointComplete(Path imageDirectory) {
        return RunscCli.checkpointCompleted(imageDirectory);
    }

    /**
     * Refuses to checkpoint a sandbox that holds open a file on a volume that is gone (deleted by
     * the sandbox itself, by another sandbox, or on the host): runsc would fail the checkpoint and
     * stop the sandbox, or write one that cannot be restored (measured). The sandbox runs on; the
     * check reads the processes' file links only, since looking a path up again is what spoils it.
     */
    private void refuseFilesACheckpointCannotKeep(ContainerRef ref) {
        List<VolumeMount> mounts = new SandboxMounts(directory(ref.sandbox())).recorded();
        if (mounts.isEmpty()) {
            return;
        }
        ExecResult links = execution.run(ref, ExecRequest.of("sh", "-c",
                "for link in /proc/[0-9]*/fd/* /proc/[0-9]*/cwd; do readlink \"$link\"; done 2>/dev/null; true"));
        for (String path : links.stdout().lines().distinct().toList()) {
            for (VolumeMount mount : mounts) {
                if (!path.equals(mount.mountPath()) && !path.startsWith(mount.mountPath() + "/")) {
                    continue;
                }
                String relative = path.substring(mount.mountPath().length()).replaceFirst("^/", "");
                boolean deleted = path.endsWith(" (deleted)")
                        || !Files.exists(volumeDisks.mounted(mount.volumeId()).resolve(relative), LinkOption.NOFOLLOW_LINKS);
                if (deleted) {
                    throw new ConflictException("sandbox_holds_deleted_file", "sandbox " + ref.sandbox() + " holds open "
                            + path.replace(" (deleted)", "") + ", which was deleted from " + mount.volumeId()
                            + "; a checkpoint cannot keep it, so the sandbox keeps running. Close the file (or end the process"
                            + " holding it) and try again");
                }
            }
        }
    }

    /**
     * This runsc cannot save a TCP connection, and a checkpoint that meets one stops the
     * container anyway: everything in it would be lost. So a checkpoint starts only when the
     * sandbox's /proc/net/tcp lists nothing but listening sockets and none of the connections it
     * opened is still closing (see {@link ClosingConnections}), waiting a little for them.
     */
    private void awaitNoConnections(ContainerRef ref) {
        for (int attempt = 1; ; attempt++) {
            ExecResult sockets = execution.run(ref, ExecRequest.of("cat", "/proc/net/tcp", "/proc/net/tcp6"));
            long connections = sockets.stdout().lines().map(String::strip).filter(line -> !line.startsWith("sl"))
                    .map(line -> line.split("\\s+")).filter(fields -> fields.length > 3 && !fields[3].equals("0A")).count()
                    + ClosingConnections.of(network.address(directory(ref.sandbox())));
            if (sockets.exitCode() == 0 && connections == 0) {
                return;
            }
            if (attempt == CONNECTION_ATTEMPTS) {
                throw new ConflictException("sandbox_has_connections", "sandbox " + ref.sandbox() + " holds " + connections
                        + " TCP connection(s) (open, or closing in TIME_WAIT), which a checkpoint cannot save; it keeps running");
            }
            LockSupport.parkNanos(CONNECTION_WAIT.toNanos());
        }
    }

    @Override
    public void restore(ContainerRef ref, SandboxSpec spec, Path imageDirectory) {
        long started = System.nanoTime();
        SandboxDirectory directory = directory(ref.sandbox());
        RootFilesystem root = root(directory.recordedRoot().orElse(DefaultTemplate.NAME));
        directory.mount(root, spec.withDefaults(LifecycleSettings.PRODUCT_LIMITS).diskMb());
        new SandboxMounts(directory).prepare(volumeDisks::mounted);
        long mounted = System.nanoTime();
        String namespace = networkNamespace(directory, ref.sandbox(), spec.network());
        long networked = System.nanoTime();
        OciBundle.write(directory, root, spec, cgroups.path(ref), namespace);
        try {
            runsc.restore(ref, directory.bundle(), imageDirectory, directory.log());
            long restored = System.nanoTime();
            cgroups.limitSwap(ref);
            cgroups.limitCpu(ref, spec.cpus());
            log.info("restored {} in {} ms: mounts {}, network {}, runsc restore {}", ref.containerId(),
                    millis(System.nanoTime() - started), millis(mounted - started), millis(networked - mounted),
                    millis(restored - networked));
        } catch (RuntimeException e) {
            removeQuietly(ref);
            throw e;
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public ContainerStatus status(ContainerRef ref) {
        // runsc state asks the sandbox itself, which a frozen sandbox never answers.
        if (cgroups.isFrozen(ref)) {
            return ContainerStatus.FROZEN;
        }
        ContainerStatus status = runsc.status(ref);
        // runsc counts a dead sandbox process as running until the host's init reaps it; its cgroup knows better.
        return status == ContainerStatus.RUNNING && !cgroups.hasProcesses(ref) ? ContainerStatus.STOPPED : status;
    }

    @Override
    public List<ContainerRef> containers() {
        // Containers whose processes are gone and whose runsc record is being deleted are not there any more.
        return everyContainer().stream().filter(ref -> !pendingDeletes.containsKey(ref)).toList();
    }

    /** Every container runsc knows, and every container that has a cgroup left (one whose runsc record is gone). */
    private List<ContainerRef> everyContainer() {
        Set<ContainerRef> all = new TreeSet<>(Comparator.comparing(ContainerRef::containerId));
        all.addAll(runsc.list());
        all.addAll(cgroups.containers());
        return List.copyOf(all);
    }

    @Override
    public Set<SandboxId> sandboxes() {
        Set<SandboxId> ids = new HashSet<>();
        containers().forEach(ref -> ids.add(ref.sandbox()));
        try (Stream<Path> dirs = Files.list(config.sandboxesDirectory())) {
            dirs.map(dir -> dir.getFileName().toString()).filter(SandboxId::isValid).map(SandboxId::of).forEach(ids::add);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list " + config.sandboxesDirectory() + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * Kills the container's processes (found by its cgroup) and removes its cgroup at once;
     * runsc's own record of it is deleted in the background, because runsc delete waits until
     * the host's init has reaped the dead sandbox process, which on these machines takes more
     * than a second.
     */
    @Override
    public void remove(ContainerRef ref) {
        if (cgroups.isFrozen(ref)) {
            cgroups.thaw(ref);
        }
        cgroups.killAll(ref);
        cgroups.remove(ref);
        forget(ref);
    }

    @Override
    public void destroy(SandboxId sandbox) {
        // Every container, also those whose record is being deleted: their cgroups go now too.
        for (ContainerRef ref : everyContainer()) {
            if (ref.sandbox().equals(sandbox)) {
                remove(ref);
            }
        }
        network.remove(directory(sandbox), sandbox);
        directory(sandbox).delete();
    }

    /**
     * The sandbox's network namespace, made ready (with its address and its policy) for a start
     * or a restore; null without networks.
     */
    private String networkNamespace(SandboxDirectory directory, SandboxId sandbox, NetworkPolicy policy) {
        if (!network.enabled()) {
            return null;
        }
        String namespace = network.ensure(directory, sandbox);
        network.applyPolicy(sandbox, policy, false);
        return namespace;
    }

    @Override
    public void applyNetworkPolicy(SandboxId sandbox, NetworkPolicy policy) {
        if (network.enabled()) {
            network.applyPolicy(sandbox, policy, true);
        }
    }

    @Override
    public Optional<String> address(SandboxId sandbox) {
        return Optional.ofNullable(network.enabled() ? network.address(directory(sandbox)) : null);
    }

    @Override
    public Path hostView(SandboxId sandbox) {
        return directory(sandbox).writableLayer();
    }

    @Override
    public List<String> helper(SandboxHelper helper) {
        return List.of(switch (helper) {
            case SUPERVISE -> DefaultTemplate.SUPERVISE;
            case TERMINAL -> DefaultTemplate.PTY;
            case WATCH -> DefaultTemplate.WATCH;
        });
    }

    @Override
    public ResourceUsage usage(ContainerRef ref) {
        return cgroups.usage(ref);
    }

    @Override
    public long storedBytes(SandboxId sandbox) {
        return directory(sandbox).storedBytes();
    }

    @Override
    public Optional<String> stopReason(ContainerRef ref) {
        return cgroups.stopReason(ref);
    }

    /** The host directory holding the sandbox's root filesystem as the sandbox sees it. */
    public Path rootDirectory(SandboxId sandbox) {
        return directory(sandbox).rootfs();
    }

    /**
     * Removes everything this runtime made on the host: every container, mount, cgroup, sandbox
     * directory and template. For uninstalling, and for tests that must leave nothing behind.
     */
    public void purge() {
        for (ContainerRef ref : containers()) {
            removeQuietly(ref);
        }
        sandboxes().forEach(this::destroy);
        close();
        cgroups.removeParent();
        network.cleanUpHost();
        Mounts.unmountAll(config.directory());
        FileTrees.delete(config.stateRoot());
        FileTrees.delete(config.sandboxesDirectory());
        FileTrees.delete(config.templatesDirectory());
        volumeDisks.purge();
        swap.remove();
    }

    /**
     * Removes the warm sandboxes nobody took and finishes the deletions of runsc's records still
     * queued (bounded); a next start removes any left. Sandboxes in use are left as they are.
     */
    @Override
    public void close() {
        WarmPool pool = warmPool;
        if (pool != null) {
            pool.close();
        }
        warmCopies.values().forEach(WarmPool::close);
        reaper.shutdown();
        try {
            if (!reaper.awaitTermination(CLOSE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("{} container record(s) still being deleted at shutdown; the next start removes them", pendingDeletes.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues the deletion of runsc's record of a container whose processes are gone. */
    private void forget(ContainerRef ref) {
        pendingDeletes.computeIfAbsent(ref, r -> reaper.submit(() -> deleteRecord(r)));
    }

    private void deleteRecord(ContainerRef ref) {
        try {
            runsc.delete(ref);
            cgroups.remove(ref);
        } catch (RuntimeException e) {
            log.warn("could not delete runsc's record of container {}; the next start retries", ref.containerId(), e);
        } finally {
            pendingDeletes.remove(ref);
        }
    }

    private void removeQuietly(ContainerRef ref) {
        try {
            remove(ref);
        } catch (RuntimeException e) {
            log.warn("could not remove container {}", ref.containerId(), e);
        }
    }

    private SandboxDirectory directory(SandboxId sandbox) {
        return new SandboxDirectory(config.sandboxesDirectory(), sandbox);
    }

    private static void createDirectories(RunscConfig config) {
        try {
            Files.createDirectories(config.stateRoot());
            Files.createDirectories(config.sandboxesDirectory());
            Files.createDirectories(config.templatesDirectory());
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot create the runtime's directories under " + config.directory() + ": " + e.getMessage(), e);
        }
    }
}
