package io.perpetua.lifecycle;

import io.perpetua.snapshot.SavedSnapshot;
import io.perpetua.snapshot.SnapshotAction;
import java.time.Instant;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Duration;

/**
 * Observes the lifecycle engine: transitions, resumes and checkpoints. Implementations must
 * be fast and must not throw; they are called with the sandbox's lock held.
 */
public interface LifecycleListener {

    /** Does nothing; the default. */
    LifecycleListener NONE = new LifecycleListener() {
    };

    /** {@code sandbox} moved from state {@code from} to state {@code to}. */
    default void onTransition(SandboxId sandbox, SandboxState from, SandboxState to) {
    }

    /** {@code sandbox} (as it is now, in its new state) left state {@code from}. */
    default void onStateChanged(Sandbox sandbox, SandboxState from) {
    }

    /** A request woke {@code sandbox} from {@code tier} (standby or hibernated) in {@code elapsed}. */
    default void onResume(SandboxId sandbox, SandboxState tier, Duration elapsed) {
    }

    /** A checkpoint of {@code sandbox} of {@code bytes} bytes was written and sealed in {@code elapsed}. */
    default void onCheckpoint(SandboxId sandbox, Duration elapsed, long bytes) {
    }

    /**
     * {@code action} was done with saved snapshot {@code snapshot} at {@code at}; {@code sandbox}
     * is the one concerned: the one saved, put back or (for a copy) made.
     */
    default void onSnapshot(SnapshotAction action, SavedSnapshot snapshot, SandboxId sandbox, Instant at) {
    }

    /** {@code sandbox}'s lifecycle deleted it, for {@code reason} ({@code expired: ttl-idle 30m}). */
    default void onExpired(Sandbox sandbox, String reason) {
    }
}
