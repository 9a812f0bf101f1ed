package io.perpetua.lifecycle;

import io.perpetua.error.RuntimeFailureException;
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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A runtime without processes. Each container has a status and a "memory": a counter that the
 * command {@code count} increments and prints (any other command prints it unchanged). A
 * checkpoint writes the counter into the image directory and a restore reads it back, so a test
 * can tell that state survived hibernation. Every call is recorded; the next start, checkpoint
 * or restore can be told to fail, and the next exec or restore to block on a {@link Gate}.
 */
final class FakeRuntime implements SandboxRuntime {

    static final String MEMORY_FILE = "memory.img";

    /** One call to the runtime: the method and the container id (or sandbox id) it was about. */
    record Call(String method, String target) {
    }

    private static final class Container {
        ContainerStatus status;
        long memory;

        Container(ContainerStatus status, long memory) {
            this.status = status;
            this.memory = memory;
        }
    }

    private final Map<ContainerRef, Container> containers = new HashMap<>();
    private final Set<SandboxId> files = new HashSet<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private RuntimeException nextStartFailure;
    private ContainerStatus nextCheckpointFailure;
    private boolean failNextRestore;
    private final Deque<SandboxId> warm = new ArrayDeque<>();
    private volatile ExecRequest lastExec;
    private Gate nextExecGate;
    private Gate nextRestoreGate;

    // --- what tests use to arrange and inspect -------------------------------------------

    /** The next {@link #start} throws {@code failure}, leaving the sandbox's files behind. */
    synchronized void failNextStart(RuntimeException failure) {
        nextStartFailure = failure;
    }

    /** The next {@link #checkpoint} fails and leaves the container with {@code statusAfter}. */
    synchronized void failNextCheckpoint(ContainerStatus statusAfter) {
        nextCheckpointFailure = statusAfter;
    }

    /** The next {@link #restore} fails, leaving a stopped container behind. */
    synchronized void failNextRestore() {
        failNextRestore = true;
    }

    /** The next exec waits at the returned gate, after it was accepted and before it reads memory. */
    synchronized Gate blockNextExec() {
        nextExecGate = new Gate();
        return nextExecGate;
    }

    /** The next restore waits at the returned gate before it starts the container. */
    synchronized Gate blockNextRestore() {
        nextRestoreGate = new Gate();
        return nextRestoreGate;
    }

    /** Puts a container directly, as if it had been left by an earlier daemon. */
    synchronized void put(ContainerRef ref, ContainerStatus status, long memory) {
        containers.put(ref, new Container(status, memory));
        files.add(ref.sandbox());
    }

    /** Starts a sandbox ahead of demand, for the next {@link #takeWarm} to hand out. */
    synchronized void offerWarm(SandboxId sandbox) {
        put(new ContainerRef(sandbox, 1), ContainerStatus.RUNNING, 0);
        warm.addLast(sandbox);
    }

    /** The last command given to {@link #exec}, as the runtime received it. */
    ExecRequest lastExec() {
        return lastExec;
    }

    /** Leaves files of {@code sandbox} on the host, as a crashed creation or deletion would. */
    synchronized void addFiles(SandboxId sandbox) {
        files.add(sandbox);
    }

    /** Every container of {@code sandbox} disappears (a host reboot); its files stay. */
    synchronized void loseContainers(SandboxId sandbox) {
        containers.keySet().removeIf(ref -> ref.sandbox().equals(sandbox));
    }

    synchronized long memoryOf(ContainerRef ref) {
        Container c = containers.get(ref);
        if (c == null) {
            throw new AssertionError("no container " + ref.containerId());
        }
        return c.memory;
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    long count(String method) {
        return calls(method).size();
    }

    /** Writes an image holding {@code memory}, as {@link #checkpoint} would. */
    static void writeImage(Path directory, long memory) {
        try {
            Files.writeString(directory.resolve(MEMORY_FILE), Long.toString(memory), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- SandboxRuntime -------------------------------------------------------------------

    @Override
    public void validate(SandboxSpec spec) {
        calls.add(new Call("validate", spec.template()));
    }

    @Override
    public synchronized Optional<SandboxId> takeWarm(SandboxSpec spec) {
        calls.add(new Call("takeWarm", spec.template()));
        return Optional.ofNullable(warm.pollFirst());
    }

    @Override
    public synchronized void start(ContainerRef ref, SandboxSpec spec) {
        calls.add(new Call("start", ref.containerId()));
        files.add(ref.sandbox());
        if (nextStartFailure != null) {
            RuntimeException failure = nextStartFailure;
            nextStartFailure = null;
            throw failure;
        }
        if (containers.containsKey(ref)) {
            throw new RuntimeFailureException("container " + ref.containerId() + " already exists");
        }
        containers.put(ref, new Container(ContainerStatus.RUNNING, 0));
    }

    @Override
    public ExecResult exec(ContainerRef ref, ExecRequest request) {
        Gate gate;
        synchronized (this) {
            calls.add(new Call("exec", ref.containerId()));
            lastExec = request;
            require(ref, ContainerStatus.RUNNING, "exec in");
            gate = nextExecGate;
            nextExecGate = null;
        }
        if (gate != null) {
            gate.pass();
        }
        synchronized (this) {
            Container c = require(ref, ContainerStatus.RUNNING, "finish exec in");
            if (request.cmd().getFirst().equals("count")) {
                c.memory++;
            }
            return new ExecResult(0, Long.toString(c.memory), "", Duration.ZERO, false, false);
        }
    }

    /** A command whose output is the container's memory counter and whose input is discarded. */
    @Override
    public synchronized RunningCommand spawn(ContainerRef ref, ExecRequest request) {
        calls.add(new Call("spawn", ref.containerId()));
        Container c = require(ref, ContainerStatus.RUNNING, "spawn in");
        byte[] output = Long.toString(c.memory).getBytes(StandardCharsets.UTF_8);
        return new RunningCommand() {
            @Override
            public OutputStream stdin() {
                return OutputStream.nullOutputStream();
            }

            @Override
            public InputStream stdout() {
                return new ByteArrayInputStream(output);
            }

            @Override
            public InputStream stderr() {
                return InputStream.nullInputStream();
            }

            @Override
            public int waitFor() {
                return 0;
            }

            @Override
            public void close() {
                calls.add(new Call("closeSpawned", ref.containerId()));
            }
        };
    }

    @Override
    public synchronized void freeze(ContainerRef ref) {
        calls.add(new Call("freeze", ref.containerId()));
        require(ref, ContainerStatus.RUNNING, "freeze").status = ContainerStatus.FROZEN;
    }

    @Override
    public synchronized void thaw(ContainerRef ref) {
        calls.add(new Call("thaw", ref.containerId()));
        require(ref, ContainerStatus.FROZEN, "thaw").status = ContainerStatus.RUNNING;
    }

    @Override
    public synchronized void checkpoint(ContainerRef ref, Path imageDirectory) {
        calls.add(new Call("checkpoint", ref.containerId()));
        Container c = require(ref, ContainerStatus.RUNNING, "checkpoint");
        if (nextCheckpointFailure != null) {
            c.status = nextCheckpointFailure;
            nextCheckpointFailure = null;
            throw new RuntimeFailureException("checkpoint of " + ref.containerId() + " failed (as told)");
        }
        writeImage(imageDirectory, c.memory);
        c.status = ContainerStatus.STOPPED;
    }

    @Override
    public boolean checkpointComplete(Path imageDirectory) {
        return Files.exists(imageDirectory.resolve(MEMORY_FILE));
    }

    @Override
    public void restore(ContainerRef ref, SandboxSpec spec, Path imageDirectory) {
        Gate gate;
        synchronized (this) {
            calls.add(new Call("restore", ref.containerId()));
            gate = nextRestoreGate;
            nextRestoreGate = null;
        }
        if (gate != null) {
            gate.pass();
        }
        synchronized (this) {
            if (containers.containsKey(ref)) {
                throw new RuntimeFailureException("container " + ref.containerId() + " already exists");
            }
            files.add(ref.sandbox());
            if (failNextRestore) {
                failNextRestore = false;
                containers.put(ref, new Container(ContainerStatus.STOPPED, 0));
                throw new RuntimeFailureException("restore of " + ref.containerId() + " failed (as told)");
            }
            long memory;
            try {
                memory = Long.parseLong(Files.readString(imageDirectory.resolve(MEMORY_FILE), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new RuntimeFailureException("cannot read image " + imageDirectory, e);
            }
            containers.put(ref, new Container(ContainerStatus.RUNNING, memory));
        }
    }

    @Override
    public synchronized ContainerStatus status(ContainerRef ref) {
        Container c = containers.get(ref);
        return c == null ? ContainerStatus.MISSING : c.status;
    }

    @Override
    public synchronized List<ContainerRef> containers() {
        return new ArrayList<>(containers.keySet());
    }

    @Override
    public synchronized Set<SandboxId> sandboxes() {
        Set<SandboxId> all = new HashSet<>(files);
        containers.keySet().forEach(ref -> all.add(ref.sandbox()));
        return all;
    }

    @Override
    public synchronized void remove(ContainerRef ref) {
        calls.add(new Call("remove", ref.containerId()));
        containers.remove(ref);
    }

    @Override
    public synchronized void destroy(SandboxId sandbox) {
        calls.add(new Call("destroy", sandbox.value()));
        containers.keySet().removeIf(ref -> ref.sandbox().equals(sandbox));
        files.remove(sandbox);
    }

    @Override
    public Path hostView(SandboxId sandbox) {
        return Path.of("/nonexistent", sandbox.value());
    }

    @Override
    public List<String> helper(SandboxHelper helper) {
        return List.of(helper.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public synchronized ResourceUsage usage(ContainerRef ref) {
        Container c = containers.get(ref);
        return new ResourceUsage(0, c == null ? 0 : c.memory, c == null ? 0 : c.memory);
    }

    @Override
    public void close() {
    }

    private Container require(ContainerRef ref, ContainerStatus expected, String operation) {
        Container c = containers.get(ref);
        ContainerStatus actual = c == null ? ContainerStatus.MISSING : c.status;
        if (actual != expected) {
            throw new RuntimeFailureException("cannot " + operation + " container " + ref.containerId() + ": it is " + actual);
        }
        return c;
    }

    /** Where a blocked call waits: the test learns it arrived and decides when it goes on. */
    static final class Gate {
        private static final long TIMEOUT_SECONDS = 10;
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);

        void pass() {
            arrived.countDown();
            await(opened, "the test to open the gate");
        }

        /** Waits until the blocked call has arrived at the gate. */
        void awaitArrival() {
            await(arrived, "a call to arrive at the gate");
        }

        void open() {
            opened.countDown();
        }

        private static void await(CountDownLatch latch, String what) {
            try {
                if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("gave up waiting for " + what);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    @Override
    public void applyNetworkPolicy(SandboxId sandbox, NetworkPolicy policy) {
        calls.add(new Call("applyNetworkPolicy", sandbox + " " + policy.allowOut() + " " + policy.denyOut()));
    }
}
