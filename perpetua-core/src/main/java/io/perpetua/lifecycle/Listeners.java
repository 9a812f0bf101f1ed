package io.perpetua.lifecycle;

import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.SnapshotAction;
import java.time.Instant;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Duration;
import java.util.List;

/** Several listeners heard as one, in the order they were added. */
final class Listeners implements LifecycleListener {

    private final List<LifecycleListener> all;

    private Listeners(List<LifecycleListener> all) {
        this.all = all;
    }

    static LifecycleListener of(List<LifecycleListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> LifecycleListener.NONE;
            case 1 -> listeners.getFirst();
            default -> new Listeners(List.copyOf(listeners));
        };
    }

    @Override
    public void onTransition(SandboxId sandbox, SandboxState from, SandboxState to) {
        all.forEach(listener -> listener.onTransition(sandbox, from, to));
    }

    @Override
    public void onStateChanged(Sandbox sandbox, SandboxState from) {
        all.forEach(listener -> listener.onStateChanged(sandbox, from));
    }

    @Override
    public void onResume(SandboxId sandbox, SandboxState tier, Duration elapsed) {
        all.forEach(listener -> listener.onResume(sandbox, tier, elapsed));
    }

    @Override
    public void onCheckpoint(SandboxId sandbox, Duration elapsed, long bytes) {
        all.forEach(listener -> listener.onCheckpoint(sandbox, elapsed, bytes));
    }

    @Override
    public void onSnapshot(SnapshotAction action, SavedSnapshot snapshot, SandboxId sandbox, Instant at) {
        all.forEach(listener -> listener.onSnapshot(action, snapshot, sandbox, at));
    }

    @Override
    public void onExpired(Sandbox sandbox, String reason) {
        all.forEach(listener -> listener.onExpired(sandbox, reason));
    }
}
