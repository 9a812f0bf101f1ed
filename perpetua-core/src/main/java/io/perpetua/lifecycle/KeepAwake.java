package io.perpetua.lifecycle;

import io.perpetua.sandbox.SandboxId;

/**
 * Something other than requests that keeps a sandbox from going to standby, such as a
 * process started with {@code keepAlive}. Asked on every tick for idle sandboxes: keep it cheap.
 */
@FunctionalInterface
public interface KeepAwake {

    /** Nothing keeps sandboxes awake; the default. */
    KeepAwake NOTHING = sandbox -> false;

    /** Whether {@code sandbox} must stay awake although no request uses it. */
    boolean keepsAwake(SandboxId sandbox);
}
