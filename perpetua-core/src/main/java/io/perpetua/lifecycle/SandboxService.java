package io.perpetua.lifecycle;

import io.perpetua.access.ProjectId;
import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.metering.Metering;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.SnapshotAction;
import io.perpetua.snapshot.SnapshotStore;
import io.perpetua.store.Annotations;
import io.perpetua.store.SandboxStore;
import io.perpetua.volume.VolumeMount;
import io.perpetua.volume.Volumes;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle engine: creates sandboxes, lets requests use them, and puts them to sleep.
 *
 * <p>Every request that needs a sandbox goes through {@link #exec} or {@link #resume}, which
 * wake it transparently (thaw from standby, restore from hibernation; concurrent requests
 * share one wake-up) and keep it awake until they finish. Reading metadata ({@link #get},
 * {@link #list}) is not activity and never wakes a sandbox.
 *
 * <p>Time does not pass by itself here: the owner calls {@link #tick} periodically (and tests
 * call it with a hand-moved {@link Clock}). Each tick puts sandboxes idle longer than their
 * window into standby, and hands those in standby longer than {@code hibernateAfter} (or all,
 * longest asleep first, when the host runs short of memory) to the background executor for
 * hibernation.
 */
public final class SandboxService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxService.class);

    private final SandboxRuntime runtime;
    private final SandboxStore store;
    private final SnapshotStore snapshots;
    private final LifecycleSettings settings;
    private final Clock clock;
    private final Transitions transitions;
    private final Metering metering;
    private final Admissions admissions;
    private final IdleTimers idleTimers;
    private final SavedSnapshots savedSnapshots;
    private final LifecycleListener listener;
    private final Volumes volumes;
    private final ConcurrentMap<SandboxId, ManagedSandbox> sandboxes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SandboxService(Builder builder) {
        this.runtime = Objects.requireNonNull(builder.runtime, "runtime");
        this.store = Objects.requireNonNull(builder.store, "store");
        this.snapshots = Objects.requireNonNull(builder.snapshots, "snapshots");
        this.settings = builder.settings;
        this.clock = builder.clock;
        this.metering = builder.metering;
        this.listener = Listeners.of(builder.listeners);
        this.transitions = new Transitions(runtime, store, snapshots, clock, listener, metering);
        this.admissions = new Admissions(settings.quota(), () -> sandboxes.values().stream().map(ManagedSandbox::record).toList());
        this.idleTimers = new IdleTimers(sandboxes.values(), transitions, store, settings.minAvailableMemory(), clock, builder.background,
                builder.hostMemory, builder.keepAwake, () -> closed, this::expire, settings.reclaimAfter());
        this.savedSnapshots = new SavedSnapshots(runtime, store, snapshots, transitions, clock);
        this.volumes = new Volumes(runtime, store, clock);
        Recovery recovery = new Recovery(runtime, store, snapshots, clock);
        List<Sandbox> live = recovery.recover();
        volumes.recover(live.stream().map(Sandbox::id).toList());
        for (Sandbox sandbox : live) {
            sandboxes.put(sandbox.id(), new ManagedSandbox(sandbox));
        }
        metering.recovered(live, store::find);
    }

    /** A builder; runtime, store and snapshots are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates a sandbox in the default project and starts it; returns once it runs.
     *
     * @throws io.perpetua.error.InvalidInputException if the spec cannot be honoured
     * @throws RuntimeFailureException if the runtime could not start it; nothing of it is left
     */
    public Sandbox create(SandboxSpec requested) {
        return create(ProjectId.DEFAULT, requested);
    }

    /**
     * Creates a sandbox owned by {@code project} and starts it; returns once it runs.
     *
     * @throws io.perpetua.error.InvalidInputException if the spec cannot be honoured
     * @throws RuntimeFailureException if the runtime could not start it; nothing of it is left
     */
    public Sandbox create(ProjectId project, SandboxSpec requested) {
        return create(project, requested, Annotations.NONE);
    }

    /**
     * Creates a sandbox owned by {@code project} with {@code annotations} (an adapter's own
     * record of it, written with the sandbox before its container starts, so that a crash never
     * leaves a running sandbox without them) and starts it; returns once it runs.
     *
     * @throws io.perpetua.error.InvalidInputException if the spec cannot be honoured
     * @throws RuntimeFailureException if the runtime could not start it; nothing of it is left
     */
    public Sandbox create(ProjectId project, SandboxSpec requested, Annotations annotations) {
        return create(project, requested, Lifecycle.DEFAULT, annotations);
    }

    /**
     * Like {@link #create(ProjectId, SandboxSpec, Annotations)}, with {@code lifecycle} (what it
     * does when idle, the rules that delete it) recorded with it from the start.
     */
    public Sandbox create(ProjectId project, SandboxSpec requested, Lifecycle lifecycle, Annotations annotations) {
        return create(project, requested, lifecycle, List.of(), annotations);
    }

    /**
     * Like {@link #create(ProjectId, SandboxSpec, Lifecycle, Annotations)}, with {@code mounts}
     * (of the project's volumes and drives, see {@link Volumes#resolve}) mounted before it is returned.
     *
     * @throws ConflictException with code {@code volume_in_use} if another sandbox writes a volume it would write
     */
    public Sandbox create(ProjectId project, SandboxSpec requested, Lifecycle lifecycle, List<VolumeMount> mounts, Annotations annotations) {
        checkOpen();
        SandboxSpec spec = requested.withDefaults(settings.defaults());
        runtime.validate(spec);
        volumes.check(mounts);
        return admissions.create(project, appear -> {
            Optional<SandboxId> warm = runtime.takeWarm(spec);
            Consumer<ContainerRef> start = mounting(warm.isPresent() ? ref -> { } : ref -> runtime.start(ref, spec), mounts);
            Sandbox creating = Sandbox.creating(warm.orElseGet(SandboxId::random), project, spec, clock.instant()).withLifecycle(lifecycle);
            return createAdmitted(creating, annotations, appear, start, warm.isPresent());
        });
    }

    /**
     * Creates a sandbox owned by {@code project} from saved snapshot {@code snapshotId}: a copy of
     * its state (processes, memory, files) with an identity of its own (id, address), and the
     * spec of the sandbox it was taken of. Returns once it runs.
     *
     * @throws io.perpetua.error.NotFoundException if the project has no such snapshot
     * @throws ConflictException with code {@code snapshot_corrupt} if the snapshot's content is damaged
     * @throws RuntimeFailureException if the runtime could not start it; nothing of it is left
     */
    public Sandbox createFromSnapshot(ProjectId project, String snapshotId, Annotations annotations) {
        return createFromSnapshot(project, snapshotId, UnaryOperator.identity(), annotations);
    }

    /**
     * Like {@link #createFromSnapshot(ProjectId, String, Annotations)}, with the spec of the
     * sandbox the snapshot was taken of changed by {@code adjust}: its idle windows, environment
     * (for what runs from now on), labels and network policy may change; its template name too,
     * which the copy is not booted from; its resources may not, since its memory is restored as it was.
     *
     * @throws io.perpetua.error.InvalidInputException if {@code adjust} changes a resource
     */
    public Sandbox createFromSnapshot(ProjectId project, String snapshotId, UnaryOperator<SandboxSpec> adjust, Annotations annotations) {
        return createFromSnapshot(project, snapshotId, adjust, Lifecycle.DEFAULT, annotations);
    }

    /** Like {@link #createFromSnapshot(ProjectId, String, UnaryOperator, Annotations)}, with {@code lifecycle} recorded from the start. */
    public Sandbox createFromSnapshot(ProjectId project, String snapshotId, UnaryOperator<SandboxSpec> adjust, Lifecycle lifecycle,
                                      Annotations annotations) {
        return createFromSnapshot(project, snapshotId, adjust, lifecycle, List.of(), annotations);
    }

    /** Like {@link #createFromSnapshot(ProjectId, String, UnaryOperator, Lifecycle, Annotations)}, with {@code mounts} mounted into the copy. */
    public Sandbox createFromSnapshot(ProjectId project, String snapshotId, UnaryOperator<SandboxSpec> adjust, Lifecycle lifecycle,
                                      List<VolumeMount> mounts, Annotations annotations) {
        checkOpen();
        SavedSnapshot saved = savedSnapshot(project, snapshotId);
        volumes.requireNoMounts(saved.source(), "a copy of its snapshot " + snapshotId);
        SandboxSpec source = store.find(saved.source()).orElseThrow(() -> new IllegalStateException(
                "snapshot " + snapshotId + " was taken of sandbox " + saved.source() + ", which the store does not know")).spec();
        SandboxSpec spec = adjust.apply(source).withDefaults(settings.defaults());
        requireSameResources(source, spec);
        volumes.check(mounts);
        savedSnapshots.open(saved);
        Sandbox copy = admissions.create(project, appear -> {
            Optional<SandboxId> warm = runtime.takeWarmCopy(saved.id(), spec);
            Consumer<ContainerRef> start = mounting(warm.isPresent() ? ref -> { } : ref -> savedSnapshots.fork(ref, spec, saved), mounts);
            return createAdmitted(Sandbox.creating(warm.orElseGet(SandboxId::random), project, spec, clock.instant()).withLifecycle(lifecycle),
                    annotations, appear, start, warm.isPresent());
        });
        listener.onSnapshot(SnapshotAction.COPIED, saved, copy.id(), clock.instant());
        return copy;
    }

    /**
     * Keeps {@code size} copies of saved snapshot {@code snapshotId} started ahead of demand (see
     * {@link SandboxRuntime#keepWarmCopies}), in the shape {@code adjust} gives the spec of the
     * sandbox it was taken of, so that {@link #createFromSnapshot} of that shape costs a thaw.
     * Size 0 drops them, as deleting the snapshot does.
     */
    public void keepWarmCopies(String snapshotId, UnaryOperator<SandboxSpec> adjust, int size) {
        Optional<SavedSnapshot> saved = store.findSnapshot(snapshotId);
        if (size == 0 || saved.isEmpty()) {
            runtime.dropWarmCopies(snapshotId);
            return;
        }
        SandboxSpec source = store.find(saved.get().source()).orElseThrow().spec();
        Path image = savedSnapshots.open(saved.get());
        runtime.keepWarmCopies(snapshotId, size, adjust.apply(source).withDefaults(settings.defaults()), image,
                image.resolve(SavedSnapshots.DISK_COPY));
    }

    /** How many copies of saved snapshot {@code snapshotId} are ready to be taken (see {@link #keepWarmCopies}). */
    public int warmCopies(String snapshotId) {
        return runtime.warmCopies(snapshotId);
    }

    /** {@code start}, then the sandbox's volumes claimed and mounted. */
    private Consumer<ContainerRef> mounting(Consumer<ContainerRef> start, List<VolumeMount> mounts) {
        if (mounts.isEmpty()) {
            return start;
        }
        return ref -> {
            volumes.claim(ref.sandbox(), mounts);
            start.accept(ref);
            runtime.mount(ref, mounts);
        };
    }

    /** The project's volumes and drives, and which sandboxes mount them. */
    public Volumes volumes() {
        return volumes;
    }

    /**
     * Mounts {@code mount} (of a volume or drive of the sandbox's project) into the sandbox, waking
     * it if it sleeps; it stays mounted for the sandbox's life.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     * @throws InvalidInputException if its path is taken or inside another mount, or the volume is mounted already
     * @throws ConflictException with code {@code volume_in_use} if another sandbox writes the volume
     */
    public Sandbox mount(SandboxId id, VolumeMount mount) {
        return use(id, ref -> {
            volumes.claim(id, List.of(mount));
            CrashPoint.MOUNT_RECORDED.reach();
            try {
                runtime.mount(ref, List.of(mount));
            } catch (RuntimeException e) {
                volumes.release(id, List.of(mount));
                throw e;
            }
            log.info("{} mounted at {} in sandbox {}", mount.volumeId(), mount.mountPath(), id);
            return get(id);
        });
    }

    private static void requireSameResources(SandboxSpec source, SandboxSpec copy) {
        requireSame("memoryMb", source.memoryMb(), copy.memoryMb());
        requireSame("cpus", source.cpus(), copy.cpus());
        requireSame("diskMb", source.diskMb(), copy.diskMb());
        requireSame("maxProcesses", source.maxProcesses(), copy.maxProcesses());
        requireSame("maxOpenFiles", source.maxOpenFiles(), copy.maxOpenFiles());
    }

    private static void requireSame(String field, Object source, Object copy) {
        if (!Objects.equals(source, copy)) {
            throw new InvalidInputException(field, field + " of a sandbox made from a snapshot or template is that of its source ("
                    + source + "), since its memory is restored as it was; it cannot be " + copy);
        }
    }

    /**
     * @param appear makes the sandbox one of the engine's, in one step with its admission's accounting
     * @param start  starts its first container
     * @param warm   whether it was taken from the warm pool (and so has a container already)
     */
    private Sandbox createAdmitted(Sandbox creating, Annotations annotations, Consumer<Runnable> appear, Consumer<ContainerRef> start,
                                   boolean warm) {
        SandboxSpec spec = creating.spec();
        ManagedSandbox m = new ManagedSandbox(creating);
        try {
            store.insert(m.record());
            if (!annotations.values().isEmpty()) {
                store.annotate(m.id(), annotations.namespace(), annotations.values());
            }
        } catch (RuntimeException e) {
            if (warm) {
                runtime.destroy(m.id());
            }
            throw e;
        }
        CrashPoint.CREATE_RECORDED.reach();
        return m.locked(() -> {
            appear.accept(() -> sandboxes.put(m.id(), m));
            try {
                start.accept(m.record().container());
                runtime.applyNetworkPolicy(m.id(), spec.network());
            } catch (RuntimeException e) {
                discardFailedCreation(m);
                throw e;
            }
            CrashPoint.CREATE_STARTED.reach();
            transitions.move(m, SandboxState.RUNNING, true);
            m.touch(clock.instant());
            log.info("sandbox {} created", m.id());
            return m.record();
        });
    }

    private void discardFailedCreation(ManagedSandbox m) {
        sandboxes.remove(m.id());
        try {
            runtime.destroy(m.id());
        } catch (RuntimeException e) {
            log.warn("could not clean up sandbox {} after its creation failed", m.id(), e);
        }
        m.set(m.record().withState(SandboxState.DELETED, clock.instant()));
        store.update(m.record());
    }

    /** Every sandbox that is not deleted, oldest first. Wakes nothing. */
    public List<Sandbox> list() {
        return sandboxes.values().stream().map(ManagedSandbox::record)
                .filter(s -> s.state() != SandboxState.DELETED)
                .sorted(Comparator.comparing(Sandbox::createdAt).thenComparing(s -> s.id().value()))
                .toList();
    }

    /**
     * The sandbox as it is now. Wakes nothing and is not activity.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox or it was deleted
     */
    public Sandbox get(SandboxId id) {
        return managed(id).record();
    }

    /**
     * The sandbox as the store last recorded it, deleted ones included (with why their lifecycle
     * deleted them, if it did); empty if there never was one. For history, not for use.
     */
    public Optional<Sandbox> history(SandboxId id) {
        ManagedSandbox m = sandboxes.get(id);
        return m != null ? Optional.of(m.record()) : store.find(id);
    }

    /** Like {@link #get}, for an id that may be malformed. */
    public Optional<Sandbox> find(String id) {
        if (!SandboxId.isValid(id)) {
            return Optional.empty();
        }
        ManagedSandbox m = sandboxes.get(SandboxId.of(id));
        return m == null || m.state() == SandboxState.DELETED ? Optional.empty() : Optional.of(m.record());
    }

    /**
     * Runs a command in the sandbox, waking it first if it sleeps.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     * @throws RuntimeFailureException if it could not be woken or the runtime failed
     */
    public ExecResult exec(SandboxId id, ExecRequest request) {
        ExecRequest withSandboxEnv = request.withBaseEnv(get(id).spec().env());
        return use(id, ref -> runtime.exec(ref, withSandboxEnv));
    }

    /**
     * Starts a command in the sandbox (waking it first) and lets {@code streaming} use its
     * streams; the sandbox stays awake, as for any request, until {@code streaming} returns.
     * The command is ended when {@code streaming} returns, if it has not ended by itself.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     * @throws RuntimeFailureException if it could not be woken or the runtime failed
     */
    public <T> T stream(SandboxId id, ExecRequest request, Function<RunningCommand, T> streaming) {
        ExecRequest withSandboxEnv = request.withBaseEnv(get(id).spec().env());
        return use(id, ref -> {
            try (RunningCommand command = runtime.spawn(ref, withSandboxEnv)) {
                return streaming.apply(command);
            }
        });
    }

    /**
     * Starts a command that outlives the call (see {@link SandboxRuntime#startDetached}), waking
     * the sandbox first; the sandbox stays awake until the returned handle is closed, which ends
     * only the command's streams.
     *
     * @return the command, or empty if the runtime cannot start one that way (nothing was started)
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     */
    public Optional<RunningCommand> startDetached(SandboxId id, ExecRequest request) {
        ExecRequest withSandboxEnv = request.withBaseEnv(get(id).spec().env());
        Lease awake = hold(id);
        try {
            Optional<RunningCommand> started = use(id, ref -> runtime.startDetached(ref, withSandboxEnv));
            if (started.isEmpty()) {
                awake.close();
            }
            return started.map(command -> new LeasedCommand(command, awake));
        } catch (RuntimeException e) {
            awake.close();
            throw e;
        }
    }

    /** A detached command whose handle keeps its sandbox awake while it is open. */
    private record LeasedCommand(RunningCommand command, Lease awake) implements RunningCommand {
        @Override
        public OutputStream stdin() {
            return command.stdin();
        }

        @Override
        public InputStream stdout() {
            return command.stdout();
        }

        @Override
        public InputStream stderr() {
            return command.stderr();
        }

        @Override
        public int waitFor() {
            return command.waitFor();
        }

        @Override
        public void close() {
            try {
                command.close();
            } finally {
                awake.close();
            }
        }
    }

    /**
     * Counts as activity for a sandbox that is awake, such as output flowing through a stream
     * a client reads; wakes nothing and does nothing for a sandbox that sleeps or does not exist.
     */
    public void touch(SandboxId id) {
        ManagedSandbox m = sandboxes.get(id);
        if (m != null) {
            m.locked(() -> {
                if (m.state() == SandboxState.RUNNING) {
                    m.touch(clock.instant());
                }
            });
        }
    }

    /** Wakes the sandbox if it sleeps and counts as activity; returns it running. */
    public Sandbox resume(SandboxId id) {
        use(id, ref -> null);
        return get(id);
    }

    /**
     * Puts a running sandbox into standby now. A sandbox already asleep is left as it is.
     *
     * @throws ConflictException if requests are running in it or it failed
     */
    public Sandbox standby(SandboxId id) {
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            switch (requireLive(m)) {
                case RUNNING -> transitions.standby(m);
                case STANDBY, RECLAIMED, HIBERNATED -> { }
                default -> throw notAwake(m, "standby");
            }
            return m.record();
        });
    }

    /**
     * Gives the memory of a sandbox in standby (or running: it goes to standby first) back to
     * the host now; it stays frozen and wakes by thawing. A reclaimed or hibernated sandbox is
     * left as it is.
     *
     * @throws ConflictException with code {@code reclaim_unavailable} if the runtime cannot reclaim
     *                           memory on this host (no swap), or if requests are running in it or it failed
     */
    public Sandbox reclaim(SandboxId id) {
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            switch (requireLive(m)) {
                case RUNNING -> {
                    transitions.standby(m);
                    requireReclaimed(m);
                }
                case STANDBY -> requireReclaimed(m);
                case RECLAIMED, HIBERNATED -> { }
                default -> throw notAwake(m, "reclaim");
            }
            return m.record();
        });
    }

    private void requireReclaimed(ManagedSandbox m) {
        if (!transitions.reclaim(m)) {
            throw new ConflictException("reclaim_unavailable", "this host cannot give a sandbox's memory back (the daemon has no swap:"
                    + " see --swap-size); sandbox " + m.id() + " stays in standby");
        }
    }

    /**
     * Checkpoints the sandbox to disk now and stops its processes. A hibernated sandbox is left as it is.
     *
     * @throws ConflictException if requests are running in it or it failed
     */
    public Sandbox hibernate(SandboxId id) {
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            switch (requireLive(m)) {
                case RUNNING, STANDBY, RECLAIMED -> transitions.hibernate(m);
                case HIBERNATED -> { }
                default -> throw notAwake(m, "hibernate");
            }
            return m.record();
        });
    }

    /**
     * Replaces the sandbox's network policy, in whatever state it is; it does not wake it and is
     * not activity. The policy is enforced before this returns, and kept for every later restore.
     *
     * @throws io.perpetua.error.InvalidInputException naming the entry if a host name does not resolve
     */
    public Sandbox updateNetwork(SandboxId id, NetworkPolicy policy) {
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            requireLive(m);
            runtime.applyNetworkPolicy(id, policy);
            m.set(m.record().withSpec(m.record().spec().withNetwork(policy)));
            store.update(m.record());
            log.info("sandbox {} network policy: allowOut {}, denyOut {}", id, policy.allowOut(), policy.denyOut());
            return m.record();
        });
    }

    /**
     * Saves the sandbox's complete state (processes, memory, files) as a snapshot of its project,
     * kept until deleted. A hibernated sandbox is saved as it sleeps, without waking it (its
     * image and a copy of its disk); one running or in standby is woken if need be, and runs on
     * afterwards with the same processes (the runtime stops and restores it, which its clients
     * see as a pause).
     *
     * @param name what to call it, or {@code null}
     * @throws io.perpetua.error.InvalidInputException if the name is too long
     * @throws ConflictException if requests are running in it, it holds connections a checkpoint cannot save, or it failed
     */
    public SavedSnapshot snapshot(SandboxId id, String name) {
        checkOpen();
        if (name != null && (name.isBlank() || name.length() > SavedSnapshot.MAX_NAME_LENGTH)) {
            throw new InvalidInputException("name", "a snapshot's name must be 1 to " + SavedSnapshot.MAX_NAME_LENGTH
                    + " characters, not blank");
        }
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            requireLive(m);
            SavedSnapshot saved;
            if (m.state() == SandboxState.HIBERNATED) {
                saved = savedSnapshots.copyHibernated(m, name);
            } else {
                admissions.wake(m.record(), () -> transitions.wake(m));
                saved = savedSnapshots.take(m, name);
                m.touch(clock.instant());
            }
            listener.onSnapshot(SnapshotAction.TAKEN, saved, id, clock.instant());
            return saved;
        });
    }

    /**
     * Puts the sandbox back to saved snapshot {@code snapshotId}, one taken of it: processes,
     * memory and files as they were then, under the same id. It runs afterwards.
     *
     * @throws io.perpetua.error.NotFoundException if its project has no such snapshot
     * @throws io.perpetua.error.InvalidInputException if the snapshot was taken of another sandbox
     * @throws ConflictException if requests are running in it, or the snapshot is damaged
     */
    public Sandbox rollback(SandboxId id, String snapshotId) {
        checkOpen();
        ManagedSandbox m = managed(id);
        SavedSnapshot saved = savedSnapshot(m.record().project(), snapshotId);
        if (!saved.source().equals(id)) {
            throw new InvalidInputException("snapshot", "snapshot " + snapshotId + " was taken of sandbox " + saved.source()
                    + ", not of " + id + "; make a new sandbox of it with POST /v1/sandboxes {\"snapshot\": \"" + snapshotId + "\"}");
        }
        return m.locked(() -> {
            requireLive(m);
            if (m.state().isFrozen()) {
                transitions.wake(m);
            }
            admissions.wake(m.record(), () -> {
                savedSnapshots.rollback(m, saved);
                remount(m);
            });
            listener.onSnapshot(SnapshotAction.RESTORED, saved, id, clock.instant());
            return m.record();
        });
    }

    /**
     * Saves the sandbox as a snapshot and starts {@code count} new sandboxes from it, each a copy
     * of its state with an identity of its own. All or nothing: if one cannot be made, those made
     * already are deleted, and so is the snapshot.
     *
     * @throws io.perpetua.error.InvalidInputException if {@code count} is not 1 to {@value #MAX_FORKS}
     */
    public Forks fork(SandboxId id, int count) {
        if (count < 1 || count > MAX_FORKS) {
            throw new InvalidInputException("count", "count must be 1 to " + MAX_FORKS + " but was " + count);
        }
        volumes.requireNoMounts(id, "forks of it");
        SavedSnapshot saved = snapshot(id, "fork of " + id);
        List<Sandbox> made = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                made.add(createFromSnapshot(saved.project(), saved.id(), Annotations.NONE));
            }
        } catch (RuntimeException e) {
            made.forEach(sandbox -> deleteQuietly(sandbox.id()));
            deleteSnapshot(saved.project(), saved.id());
            throw e;
        }
        return new Forks(saved, made);
    }

    /**
     * Mounts again, inside the sandbox, what its runtime has mounted for it: a snapshot it was put
     * back to may have been taken before some of its mounts were made.
     */
    private void remount(ManagedSandbox m) {
        List<VolumeMount> made = runtime.mounts(m.id());
        if (!made.isEmpty()) {
            runtime.mount(m.record().container(), made);
        }
    }

    /** The most sandboxes one {@link #fork} makes. */
    public static final int MAX_FORKS = 20;

    /** What a {@link #fork} made: the snapshot the copies were made from, and the copies. */
    public record Forks(SavedSnapshot snapshot, List<Sandbox> sandboxes) {
        /** Copies the list. */
        public Forks {
            sandboxes = List.copyOf(sandboxes);
        }
    }

    private void deleteQuietly(SandboxId id) {
        try {
            delete(id);
        } catch (RuntimeException e) {
            log.warn("could not delete fork {} after its siblings failed", id, e);
        }
    }

    /** Every saved snapshot of {@code project}, oldest first. */
    public List<SavedSnapshot> snapshots(ProjectId project) {
        return store.listSnapshots().stream().filter(saved -> saved.project().equals(project)).toList();
    }

    /**
     * The saved snapshots taken of sandbox {@code id}, oldest first; wakes nothing.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     */
    public List<SavedSnapshot> snapshotsOf(SandboxId id) {
        ProjectId project = get(id).project();
        return snapshots(project).stream().filter(saved -> saved.source().equals(id)).toList();
    }

    /**
     * Saved snapshot {@code snapshotId} of {@code project}.
     *
     * @throws io.perpetua.error.NotFoundException if there is none, it was deleted, or it belongs to another project
     */
    public SavedSnapshot savedSnapshot(ProjectId project, String snapshotId) {
        return store.findSnapshot(snapshotId).filter(saved -> saved.project().equals(project))
                .orElseThrow(() -> NotFoundException.snapshot(snapshotId));
    }

    /**
     * Deletes saved snapshot {@code snapshotId} of {@code project}: its record first, then its
     * content, so that a crash in between leaves content nobody refers to, which the next start
     * removes. Sandboxes made from it are not affected.
     *
     * @throws io.perpetua.error.NotFoundException if there is none
     * @throws ConflictException with code {@code snapshot_in_use} if it is a template's
     */
    public void deleteSnapshot(ProjectId project, String snapshotId) {
        SavedSnapshot saved = savedSnapshot(project, snapshotId);
        store.listTemplates().stream().filter(template -> saved.id().equals(template.snapshotId())).findFirst().ifPresent(template -> {
            throw new ConflictException("snapshot_in_use", "snapshot " + snapshotId + " is template '" + template.name()
                    + "'; delete the template instead");
        });
        store.deleteSnapshot(saved.id(), clock.instant());
        runtime.dropWarmCopies(saved.id());
        snapshots.delete(saved.content());
        listener.onSnapshot(SnapshotAction.DELETED, saved, saved.source(), clock.instant());
        log.info("snapshot {} of sandbox {} deleted", saved.id(), saved.source());
    }

    /**
     * Changes the sandbox's lifecycle (what it does when idle, the rules that delete it) by
     * {@code change}, in whatever state it is; it does not wake it and is not activity. The new rules count from
     * now on: one whose deadline has passed deletes the sandbox at the next tick.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     */
    public Sandbox updateLifecycle(SandboxId id, UnaryOperator<Lifecycle> change) {
        ManagedSandbox m = managed(id);
        return m.locked(() -> {
            requireLive(m);
            Lifecycle lifecycle = change.apply(m.record().lifecycle());
            m.set(m.record().withLifecycle(lifecycle));
            store.update(m.record());
            log.info("sandbox {} lifecycle: onIdle {}, expiration [{}]", id, lifecycle.onIdle().wireName(), lifecycle.encodedPolicies());
            return m.record();
        });
    }

    /** Deletes a sandbox its lifecycle ends (an expiry rule, or idle with onIdle delete); called by a tick with its lock held. */
    private void expire(ManagedSandbox m, String reason) {
        transitions.delete(m, reason);
        sandboxes.remove(m.id());
        volumes.forget(m.id());
        listener.onExpired(m.record(), reason);
        log.info("sandbox {} deleted by its lifecycle: {}", m.id(), reason);
    }

    /**
     * Deletes the sandbox with every process, mount, file and snapshot of it.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     */
    public void delete(SandboxId id) {
        ManagedSandbox m = managed(id);
        m.locked(() -> {
            requireLive(m);
            transitions.delete(m);
            sandboxes.remove(id);
            volumes.forget(id);
            log.info("sandbox {} deleted", id);
        });
    }

    private <T> T use(SandboxId id, Function<ContainerRef, T> work) {
        Lease lease = hold(id);
        try {
            return work.apply(lease.container());
        } catch (RuntimeFailureException e) {
            if (lease.sandbox.state() == SandboxState.DELETED) {
                throw Transitions.notFound(lease.sandbox);
            }
            noteFailure(lease.sandbox, lease.container());
            throw e;
        } finally {
            lease.close();
        }
    }

    /**
     * Wakes the sandbox if it sleeps and keeps it awake until the returned lease is closed, as
     * for a request in progress: for work that spans callbacks, such as a proxied WebSocket.
     *
     * @throws io.perpetua.error.NotFoundException if there is no such sandbox
     */
    public Lease hold(SandboxId id) {
        checkOpen();
        ManagedSandbox m = managed(id);
        ContainerRef ref = m.locked(() -> {
            requireLive(m);
            admissions.wake(m.record(), () -> transitions.wake(m));
            m.beginRequest(clock.instant());
            return m.record().container();
        });
        return new Lease(m, ref);
    }

    /** A sandbox kept awake for the caller; closing it counts as activity and lets the sandbox sleep again. */
    public final class Lease implements AutoCloseable {
        private final ManagedSandbox sandbox;
        private final ContainerRef container;
        private boolean closed;

        private Lease(ManagedSandbox sandbox, ContainerRef container) {
            this.sandbox = sandbox;
            this.container = container;
        }

        /** The container the sandbox runs in while the lease is held. */
        public ContainerRef container() {
            return container;
        }

        @Override
        public void close() {
            sandbox.locked(() -> {
                if (!closed) {
                    closed = true;
                    sandbox.endRequest(clock.instant());
                }
            });
        }
    }

    /**
     * Counts a failure of the runtime during a request: if the container died meanwhile, the
     * sandbox fails (see {@link Transitions#failIfDead}).
     */
    private void noteFailure(ManagedSandbox m, ContainerRef ref) {
        m.locked(() -> transitions.failIfDead(m, ref));
    }

    /**
     * Lets time pass: see {@link IdleTimers}. The owner calls this periodically (tests, with a
     * hand-moved clock); it also writes the daemon's heartbeat to the usage ledger.
     */
    public void tick() {
        if (closed) {
            return;
        }
        metering.tick();
        idleTimers.tick();
    }

    private ManagedSandbox managed(SandboxId id) {
        ManagedSandbox m = sandboxes.get(id);
        if (m == null) {
            throw Transitions.notFound(id.value());
        }
        return m;
    }

    private static SandboxState requireLive(ManagedSandbox m) {
        if (m.state() == SandboxState.DELETED) {
            throw Transitions.notFound(m);
        }
        return m.state();
    }

    private static ConflictException notAwake(ManagedSandbox m, String operation) {
        return new ConflictException("sandbox_failed", "cannot " + operation + " sandbox " + m.id()
                + ": it is " + m.state().wireName()
                + (m.record().failureReason() == null ? "" : " (" + m.record().failureReason() + ")"));
    }

    private void checkOpen() {
        if (closed) {
            throw new ConflictException("shutting_down", "the daemon is shutting down");
        }
    }

    /**
     * Stops taking requests, waits for transitions in progress and writes every pending change.
     * Sandboxes are left as they are (running, frozen or hibernated) for the next start to adopt.
     */
    @Override
    public void close() {
        closed = true;
        for (ManagedSandbox m : sandboxes.values()) {
            m.locked(() -> idleTimers.flush(m));
        }
    }

    /** Assembles a {@link SandboxService}. */
    public static final class Builder {
        private SandboxRuntime runtime;
        private SandboxStore store;
        private SnapshotStore snapshots;
        private LifecycleSettings settings = LifecycleSettings.standard();
        private Clock clock = Clock.systemUTC();
        private Executor background = Runnable::run;
        private HostMemory hostMemory = HostMemory.fromProcMeminfo();
        private final List<LifecycleListener> listeners = new ArrayList<>();
        private KeepAwake keepAwake = KeepAwake.NOTHING;
        private Metering metering = Metering.NONE;

        private Builder() {
        }

        /** The runtime that runs the sandboxes. Required. */
        public Builder runtime(SandboxRuntime value) {
            this.runtime = Objects.requireNonNull(value, "runtime");
            return this;
        }

        /** Where metadata is kept. Required. */
        public Builder store(SandboxStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** Where checkpoints are kept. Required. */
        public Builder snapshots(SnapshotStore value) {
            this.snapshots = Objects.requireNonNull(value, "snapshots");
            return this;
        }

        /** Defaults and thresholds; {@link LifecycleSettings#standard()} unless set. */
        public Builder settings(LifecycleSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** The clock idle windows are measured by; the system clock unless set. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where background hibernations run; the calling thread (of {@link #tick}) unless set. */
        public Builder background(Executor value) {
            this.background = Objects.requireNonNull(value, "background");
            return this;
        }

        /** How free memory is read; {@code /proc/meminfo} unless set. */
        public Builder hostMemory(HostMemory value) {
            this.hostMemory = Objects.requireNonNull(value, "hostMemory");
            return this;
        }

        /** Adds one more who hears about transitions; nobody unless set. */
        public Builder listener(LifecycleListener value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** What besides requests keeps sandboxes awake; nothing unless set. */
        public Builder keepAwake(KeepAwake value) {
            this.keepAwake = Objects.requireNonNull(value, "keepAwake");
            return this;
        }

        /** Where state changes are metered; nowhere unless set. */
        public Builder metering(Metering value) {
            this.metering = Objects.requireNonNull(value, "metering");
            return this;
        }

        /** Recovers the sandboxes the store knows of and returns the engine. */
        public SandboxService build() {
            return new SandboxService(this);
        }
    }
}
