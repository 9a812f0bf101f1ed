package io.perpetua.processes;

import io.perpetua.lifecycle.KeepAwake;
import io.perpetua.runtime.SandboxRuntime;
import io.perpetua.sandbox.SandboxId;

/** Keeps a sandbox awake while a process started in it with {@code keepAlive} runs. */
public final class KeepAliveProcesses implements KeepAwake {

    private final SandboxRuntime runtime;

    /** @param runtime whose host views hold the sandboxes' process records */
    public KeepAliveProcesses(SandboxRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean keepsAwake(SandboxId sandbox) {
        return new ProcessFiles(runtime.hostView(sandbox)).anyKeepsAwake();
    }
}
