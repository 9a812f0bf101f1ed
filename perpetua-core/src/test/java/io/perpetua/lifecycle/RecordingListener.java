package io.perpetua.lifecycle;

import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers what the engine reported. */
final class RecordingListener implements LifecycleListener {

    record Transition(SandboxId sandbox, SandboxState from, SandboxState to) {
    }

    record Resume(SandboxId sandbox, SandboxState tier) {
    }

    record Checkpoint(SandboxId sandbox, long bytes) {
    }

    final List<Transition> transitions = new CopyOnWriteArrayList<>();
    final List<Resume> resumes = new CopyOnWriteArrayList<>();
    final List<String> expired = new CopyOnWriteArrayList<>();
    final List<Checkpoint> checkpoints = new CopyOnWriteArrayList<>();

    @Override
    public void onTransition(SandboxId sandbox, SandboxState from, SandboxState to) {
        transitions.add(new Transition(sandbox, from, to));
    }

    @Override
    public void onResume(SandboxId sandbox, SandboxState tier, Duration elapsed) {
        resumes.add(new Resume(sandbox, tier));
    }

    @Override
    public void onCheckpoint(SandboxId sandbox, Duration elapsed, long bytes) {
        checkpoints.add(new Checkpoint(sandbox, bytes));
    }

    @Override
    public void onExpired(Sandbox sandbox, String reason) {
        expired.add(sandbox.id() + " " + reason);
    }
}
