package io.perpetua.runtime.gvisor;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.HostMemory;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.runtime.ResourceUsage;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    /**
     * runsc delete right after a checkpoint takes over a second; two or three seconds later it
     * takes 25 ms (RUNSC-FACTS). Checkpointed containers are therefore removed this long after.
     */
    private static final Duration REMOVAL_DELAY = Duration.ofMillis(2500);

    private final RunscConfig config;
    private final RunscCli runsc;
    private final Cgroups cgroups;
    private final CommandExecution execution;
    private final DefaultTemplate template;
    private final ScheduledExecutorService reaper;
    private final Map<ContainerRef, ScheduledFuture<?>> pendingRemovals = new ConcurrentHashMap<>();
    private final long hostMemoryBytes;

    /**
     * Prepares the runtime's directories and the default template (built on first use).
     *
     * @throws RuntimeFailureException if runsc is missing or the template cannot be built
     */
    public RunscRuntime(RunscConfig config) {
        this.config = config;
        this.runsc = new RunscCli(config);
        this.cgroups = new Cgroups(config.cgroupParent());
        this.execution = new CommandExecution(runsc);
        createDirectories(config);
        HostCommand.run(List.of(config.runsc(), "--version"), Duration.ofSeconds(30)).orThrow("runsc --version");
        this.template = DefaultTemplate.ensure(config.templatesDirectory());
        this.hostMemoryBytes = HostMemory.totalBytes();
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("perpetua-runsc-reaper").daemon().factory());
    }

    @Override
    public void validate(SandboxSpec spec) {
        InvalidInputException.check(DefaultTemplate.NAME.equals(spec.template()), "template",
                "template '" + spec.template() + "' does not exist; available: " + DefaultTemplate.NAME);
        long memory = spec.memoryMb() * 1024L * 1024L;
        InvalidInputException.check(memory <= hostMemoryBytes, "memoryMb",
                "memoryMb " + spec.memoryMb() + " exceeds the host's memory of " + hostMemoryBytes / (1024 * 1024) + " MiB");
        int cores = Runtime.getRuntime().availableProcessors();
        InvalidInputException.check(spec.cpus() <= cores, "cpus",
                "cpus " + spec.cpus() + " exceeds the host's " + cores + " cores");
    }

    @Override
    public void start(ContainerRef ref, SandboxSpec spec) {
        SandboxDirectory directory = directory(ref.sandbox());
        directory.mount(template);
        OciBundle.write(directory, template, spec, cgroups.path(ref));
        try {
            runsc.run(ref, directory.bundle(), directory.log());
            cgroups.limitCpu(ref, spec.cpus());
        } catch (RuntimeException e) {
            removeQuietly(ref);
            throw e;
        }
    }

    @Override
    public ExecResult exec(ContainerRef ref, ExecRequest request) {
        return execution.run(ref, request);
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
    public void checkpoint(ContainerRef ref, Path imageDirectory) {
        runsc.checkpoint(ref, imageDirectory);
        pendingRemovals.put(ref, reaper.schedule(() -> removeInBackground(ref), REMOVAL_DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void restore(ContainerRef ref, SandboxSpec spec, Path imageDirectory) {
        SandboxDirectory directory = directory(ref.sandbox());
        directory.mount(template);
        OciBundle.write(directory, template, spec, cgroups.path(ref));
        try {
            runsc.restore(ref, directory.bundle(), imageDirectory, directory.log());
            cgroups.limitCpu(ref, spec.cpus());
        } catch (RuntimeException e) {
            removeQuietly(ref);
            throw e;
        }
    }

    @Override
    public ContainerStatus status(ContainerRef ref) {
        // runsc state asks the sandbox itself, which a frozen sandbox never answers.
        if (cgroups.isFrozen(ref)) {
            return ContainerStatus.FROZEN;
        }
        return runsc.status(ref);
    }

    @Override
    public List<ContainerRef> containers() {
        return runsc.list();
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

    @Override
    public void remove(ContainerRef ref) {
        ScheduledFuture<?> pending = pendingRemovals.remove(ref);
        if (pending != null) {
            pending.cancel(false);
        }
        if (cgroups.isFrozen(ref)) {
            cgroups.thaw(ref);
        }
        // runsc delete --force waits more than a second for a running sandbox to stop; killed first, it takes milliseconds.
        cgroups.killAll(ref);
        runsc.delete(ref);
        cgroups.remove(ref);
    }

    @Override
    public void destroy(SandboxId sandbox) {
        for (ContainerRef ref : containers()) {
            if (ref.sandbox().equals(sandbox)) {
                remove(ref);
            }
        }
        pendingRemovals.keySet().stream().filter(ref -> ref.sandbox().equals(sandbox)).toList().forEach(this::remove);
        directory(sandbox).delete();
    }

    @Override
    public ResourceUsage usage(ContainerRef ref) {
        return cgroups.usage(ref);
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
        Mounts.unmountAll(config.directory());
        FileTrees.delete(config.stateRoot());
        FileTrees.delete(config.sandboxesDirectory());
        FileTrees.delete(config.templatesDirectory());
    }

    /** Removes checkpointed containers that are still waiting for removal, then stops the reaper. */
    @Override
    public void close() {
        reaper.shutdownNow();
        for (ContainerRef ref : List.copyOf(pendingRemovals.keySet())) {
            removeQuietly(ref);
        }
    }

    private void removeInBackground(ContainerRef ref) {
        if (pendingRemovals.remove(ref) == null) {
            return;
        }
        try {
            runsc.delete(ref);
            cgroups.remove(ref);
        } catch (RuntimeException e) {
            log.warn("could not remove checkpointed container {}", ref.containerId(), e);
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
