package io.perpetua.runtime;

/** The state of one container as the runtime sees it. */
public enum ContainerStatus {
    /** Its processes are running. */
    RUNNING,
    /** Its processes are frozen by the cgroup freezer. */
    FROZEN,
    /** It exists but its processes are gone (after a checkpoint, a crash or an out-of-memory kill). */
    STOPPED,
    /** The runtime has no such container. */
    MISSING
}
