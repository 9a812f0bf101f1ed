package io.perpetua.runtime;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.ContainerRef;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.ExecResult;
import io.perpetua.sandbox.NetworkPolicy;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.volume.VolumeMount;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Runs sandboxes. One implementation per isolation technology (gVisor today). The lifecycle
 * engine calls each method with the sandbox's lock held, so an implementation never sees two
 * concurrent lifecycle operations on the same sandbox; {@link #exec} may run concurrently with
 * other execs of the same container.
 *
 * <p>Every method throws {@link RuntimeFailureException} with context when the runtime fails.
 */
public interface SandboxRuntime extends AutoCloseable {

    /**
     * A port of each sandbox that belongs to the runtime, not to the user: the gVisor runtime's
     * agent listens on it. The port proxy and tunnels refuse it.
     */
    int RESERVED_PORT = 49983;

    /**
     * Checks that {@code spec} can be run here (known template, limits within the host's).
     *
     * @throws InvalidInputException naming the field that cannot be honoured
     */
    void validate(SandboxSpec spec);

    /**
     * A sandbox the runtime started ahead of demand in {@code spec}'s shape, now running with
     * {@code spec}'s CPU limit, whose container (generation 1) the caller owns from here on;
     * empty if none is ready. Its processes get {@code spec}'s environment from each exec.
     */
    default Optional<SandboxId> takeWarm(SandboxSpec spec) {
        return Optional.empty();
    }

    /** Prepares the sandbox's root filesystem (if new) and starts container {@code ref} in it. */
    void start(ContainerRef ref, SandboxSpec spec);

    /** Runs a command to completion in a running container. */
    ExecResult exec(ContainerRef ref, ExecRequest request);

    /**
     * Starts a command in a running container and hands its streams to the caller; the request's
     * {@code stdin} text is ignored, the caller writes the input.
     */
    RunningCommand spawn(ContainerRef ref, ExecRequest request);

    /**
     * Starts a command that is not tied to its caller: it has no time limit, and closing the
     * handle only ends its streams, while the command runs on. For a supervisor that the caller
     * listens to for as long as it cares. Empty if this runtime cannot start a command that way
     * in this container; the caller then starts it another way.
     */
    default Optional<RunningCommand> startDetached(ContainerRef ref, ExecRequest request) {
        return Optional.empty();
    }

    /** Stops every process of the container from being scheduled; returns once all are frozen. */
    void freeze(ContainerRef ref);

    /** Lets a frozen container run again. */
    void thaw(ContainerRef ref);

    /**
     * Gives the memory of frozen container {@code ref} back to the host (out to swap), keeping
     * every process as it is; its pages come back as they are touched after a {@link #thaw}.
     *
     * @return the bytes it still holds in RAM, or empty if this runtime (or this host: no swap)
     *         cannot reclaim memory; the container is then as it was
     */
    default OptionalLong reclaimMemory(ContainerRef ref) {
        return OptionalLong.empty();
    }

    /**
     * Writes a checkpoint of the whole container (memory, processes, kernel state) into
     * {@code imageDirectory}. The container stops; its remains are removed in the background.
     */
    void checkpoint(ContainerRef ref, Path imageDirectory);

    /**
     * Captures the container's whole state, as {@link #checkpoint} does, into
     * {@code imageDirectory}, and a copy of the sandbox's disk into {@code diskCopy}, then carries
     * on as container {@code next}, restored from that image: its processes keep their pids and
     * memory. A runtime that can checkpoint a running container leaves it running instead.
     *
     * @throws RuntimeFailureException if the state could not be captured; the sandbox carries on
     *                                 as {@code next} all the same if it could be restored
     */
    default void snapshot(ContainerRef ref, ContainerRef next, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        throw new RuntimeFailureException("this runtime cannot take snapshots of a running sandbox");
    }

    /**
     * For a sandbox whose processes sleep on disk (hibernated: no container runs), what a
     * {@link #snapshot} adds to a checkpoint image: a copy of its disk at {@code diskCopy}, and
     * in {@code imageDirectory} what a copy of it needs (the root file system it is on).
     *
     * @throws RuntimeFailureException if the disk cannot be copied
     */
    default void copyFiles(SandboxId sandbox, Path imageDirectory, Path diskCopy) {
        throw new RuntimeFailureException("this runtime cannot copy a sandbox's files");
    }

    /**
     * Puts the sandbox back to a {@link #snapshot}: container {@code ref} is stopped and removed
     * if it exists, the sandbox's disk replaced by a copy of {@code diskCopy}, and container
     * {@code next} restored from {@code imageDirectory}, with the processes, memory and files it holds.
     *
     * @throws RuntimeFailureException if the sandbox could not be put back
     */
    default void rollback(ContainerRef ref, ContainerRef next, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        throw new RuntimeFailureException("this runtime cannot put a sandbox back to a snapshot");
    }

    /**
     * Starts container {@code ref}, generation 1 of a new sandbox, from a {@link #snapshot} of
     * another: a copy of {@code diskCopy} as its disk, an address of its own (the processes it
     * restores find their sockets on it), and the processes and memory {@code imageDirectory} holds.
     *
     * @throws RuntimeFailureException if it could not be started; nothing of the new sandbox is left
     */
    default void fork(ContainerRef ref, SandboxSpec spec, Path imageDirectory, Path diskCopy) {
        throw new RuntimeFailureException("this runtime cannot start a sandbox from a snapshot");
    }

    /**
     * Keeps {@code size} copies of a {@link #snapshot} started ahead of demand under {@code key},
     * as {@link #fork} starts them (each with an id and address of its own) and then frozen, so
     * that {@link #takeWarmCopy} costs a thaw instead of a restore. Replaces any copies kept
     * under {@code key} before. The snapshot's files must stay until the copies are dropped.
     */
    default void keepWarmCopies(String key, int size, SandboxSpec shape, Path imageDirectory, Path diskCopy) {
    }

    /** How many copies kept under {@code key} are ready to be taken. */
    default int warmCopies(String key) {
        return 0;
    }

    /** Removes the copies kept under {@code key}; nothing if there are none. */
    default void dropWarmCopies(String key) {
    }

    /**
     * A copy kept under {@code key} of {@code spec}'s shape, running (thawed, its CPU limit set)
     * and now the caller's as generation 1 of that sandbox; empty if none is ready.
     */
    default Optional<SandboxId> takeWarmCopy(String key, SandboxSpec spec) {
        return Optional.empty();
    }

    /**
     * Unpacks the OCI image at {@code source} (an OCI image layout, an OCI archive or a
     * {@code docker save} archive) as root file system {@code name}, which sandboxes whose spec
     * names it as their template are then overlaid on.
     *
     * @throws InvalidInputException naming {@code image} if it is no image that can be read; nothing of it is left
     */
    default void importImage(String name, Path source) {
        throw new RuntimeFailureException("this runtime cannot import images");
    }

    /**
     * Like {@link #importImage(String, Path)}, for an archive read from {@code archive} (an OCI
     * archive or a {@code docker save} archive), which is read to its end.
     */
    default void importImage(String name, InputStream archive) {
        throw new RuntimeFailureException("this runtime cannot import images");
    }

    /**
     * Removes imported image {@code name}; nothing if there is none.
     *
     * @throws io.perpetua.error.ConflictException if a sandbox is still on it
     */
    default void deleteImage(String name) {
    }

    /** The names of the imported images. */
    default Set<String> images() {
        return Set.of();
    }

    /**
     * Makes the file system of volume {@code id}: empty, {@code sizeMb} MiB, on the host's disk.
     * It appears whole or not at all.
     *
     * @throws InvalidInputException naming {@code sizeMb} if the host's disk is smaller
     * @throws RuntimeFailureException if it cannot be made; nothing of it is left
     */
    default void createVolume(String id, int sizeMb) {
        throw new RuntimeFailureException("this runtime has no volumes");
    }

    /** Removes volume {@code id} and every file in it; nothing if there is none. Call it once no sandbox mounts it. */
    default void deleteVolume(String id) {
    }

    /** The volumes of which this runtime holds files. */
    default Set<String> volumes() {
        return Set.of();
    }

    /** Bytes volume {@code id} takes on the host's disk: what its sandboxes wrote, not its size. */
    default long volumeBytes(String id) {
        return 0;
    }

    /**
     * Mounts each of {@code mounts} into running container {@code ref} at its path, leaving those
     * it has already as they are. They stay through standby, hibernation, every restore and
     * restarts of the daemon, for as long as the sandbox lives; once this returns, they are in
     * {@link #mounts}.
     *
     * @throws RuntimeFailureException if one cannot be mounted; those before it may be
     */
    default void mount(ContainerRef ref, List<VolumeMount> mounts) {
        throw new RuntimeFailureException("this runtime cannot mount volumes into sandboxes");
    }

    /** The volume mounts {@link #mount} completed in the sandbox, first mounted first. */
    default List<VolumeMount> mounts(SandboxId sandbox) {
        return List.of();
    }

    /**
     * After a restart, undoes what an operation the previous daemon did not see end may have left
     * half-done of the sandbox on the host (its disk frozen for a {@link #snapshot}'s copy, a
     * copy half written), before anything of it is adopted or started again. Never fails.
     */
    default void repair(SandboxId sandbox) {
    }

    /**
     * Whether a {@link #checkpoint} into {@code imageDirectory} ran to completion, asked after a
     * restart for a checkpoint the previous daemon did not see end. By the time this is asked,
     * nothing the previous daemon started is still writing there.
     */
    boolean checkpointComplete(Path imageDirectory);

    /** Starts container {@code ref} from a checkpoint in {@code imageDirectory}, on the sandbox's root filesystem. */
    void restore(ContainerRef ref, SandboxSpec spec, Path imageDirectory);

    /** What the runtime knows of container {@code ref} right now. */
    ContainerStatus status(ContainerRef ref);

    /** Every container this runtime has, whether running, frozen or stopped. */
    List<ContainerRef> containers();

    /** Every sandbox of which this runtime holds anything: containers, mounts or files. */
    Set<SandboxId> sandboxes();

    /** Stops and removes one container, leaving the sandbox's files. Removing a missing container does nothing. */
    void remove(ContainerRef ref);

    /** Removes everything of the sandbox: its containers, mounts, cgroups and files. Idempotent. */
    void destroy(SandboxId sandbox);

    /**
     * A host directory holding every file the sandbox wrote to its root filesystem (its
     * writable layer), at the same paths, readable without waking the sandbox. Read it only.
     */
    Path hostView(SandboxId sandbox);

    /** The command that starts {@code helper} in this runtime's sandboxes. */
    List<String> helper(SandboxHelper helper);

    /** The sandbox's network address, reachable from the host, or empty if it has no network. */
    default Optional<String> address(SandboxId sandbox) {
        return Optional.empty();
    }

    /**
     * Enforces {@code policy} on the sandbox's outgoing connections from now on, in whatever
     * state it is, and at every later start and restore. A runtime without networks ignores it.
     *
     * @throws io.perpetua.error.InvalidInputException naming the entry if a host name does not resolve
     */
    default void applyNetworkPolicy(SandboxId sandbox, NetworkPolicy policy) {
    }

    /**
     * Why the container's processes stopped, if the runtime knows (out of memory, say); asked
     * before the container is removed.
     */
    default Optional<String> stopReason(ContainerRef ref) {
        return Optional.empty();
    }

    /**
     * Bytes the sandbox's own files take on the host disk (its writable layers or disk image,
     * not the template it shares), for metering its storage while it sleeps.
     */
    default long storedBytes(SandboxId sandbox) {
        return 0;
    }

    /** CPU and memory the container has used, from the host's accounting. */
    ResourceUsage usage(ContainerRef ref);

    /** Waits (bounded) for background work such as container removal. Leaves containers running. */
    @Override
    void close();
}
