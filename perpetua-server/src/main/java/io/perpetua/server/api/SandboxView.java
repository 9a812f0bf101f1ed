package io.perpetua.server.api;

import io.perpetua.sandbox.Sandbox;
import java.util.List;
import java.util.Map;

/** A sandbox as the API shows it. Environment values are not echoed back: they may hold secrets. */
record SandboxView(String id, String project, String state, String template, String createdAt, String stateChangedAt,
                   String lastActivityAt, long idleTimeoutSeconds, long hibernateAfterSeconds, int memoryMb, double cpus,
                   Integer diskMb, Integer maxProcesses, Integer maxOpenFiles,
                   List<String> envNames, Map<String, String> labels, SnapshotView snapshot, String failureReason,
                   String address, NetworkBody network, LifecycleBody.View lifecycle, String expiresAt, List<MountBody.View> mounts) {

    /** The last good snapshot of a sandbox. */
    record SnapshotView(String id, String createdAt, long sizeBytes) {
    }

    /**
     * The sandbox as shown, with its network address (reachable from the host), or null without
     * a network, and the volumes and drives it mounts.
     */
    static SandboxView of(Sandbox s, String address, List<MountBody.View> mounts) {
        SnapshotView snapshot = s.snapshot() == null ? null
                : new SnapshotView(s.snapshot().id(), s.snapshot().createdAt().toString(), s.snapshot().sizeBytes());
        LifecycleBody.View lifecycle = LifecycleBody.view(s);
        return new SandboxView(s.id().value(), s.project().value(), s.state().wireName(), s.spec().template(), s.createdAt().toString(),
                s.stateChangedAt().toString(), s.lastActivityAt().toString(), s.spec().idleTimeout().toSeconds(),
                s.spec().hibernateAfter().toSeconds(), s.spec().memoryMb(), s.spec().cpus(),
                s.spec().diskMb(), s.spec().maxProcesses(), s.spec().maxOpenFiles(),
                s.spec().env().keySet().stream().sorted().toList(), s.spec().labels(), snapshot, s.failureReason(), address,
                NetworkBody.of(s.spec().network()), lifecycle, lifecycle.expiresAt(), mounts);
    }
}
