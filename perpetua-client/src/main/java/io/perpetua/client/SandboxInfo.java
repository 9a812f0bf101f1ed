package io.perpetua.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox as the daemon last described it.
 *
 * @param id             the sandbox's id, such as {@code sbq3k7x2mfa4z5hd}
 * @param project        the project that owns it: the project of the API key that created it
 * @param state          {@code creating}, {@code running}, {@code standby}, {@code hibernated} or {@code failed}
 * @param template       the template it was made from, or null for the default template
 * @param createdAt      when it was created
 * @param stateChangedAt when it entered its state
 * @param lastActivityAt when it last did something that keeps it awake
 * @param idleTimeout    time without activity before it goes to standby
 * @param hibernateAfter time in standby before it is checkpointed to disk
 * @param memoryMb       its memory limit in MiB
 * @param cpus           its CPU limit
 * @param diskMb         the size of its writable disk in MiB, or null from a daemon that does not say
 * @param maxProcesses   how many processes it may have at once, or null
 * @param maxOpenFiles   how many files each of its processes may hold open, or null
 * @param envNames       the names of its environment variables (the values are never sent back)
 * @param labels         its labels
 * @param snapshot       its last good snapshot, or null
 * @param failureReason  why it failed, or null
 * @param network        where it may open connections to
 * @param lifecycle      what it does once idle and the rules that delete it; {@link Lifecycle#DEFAULT} from a daemon
 *                       that does not say
 * @param expiresAt      when its rules delete it as things stand (a {@code ttl-idle} deadline moves with its
 *                       activity), or null if it has no rule
 * @param mounts         the volumes and drives it mounts; empty from a daemon that does not say
 */
public record SandboxInfo(String id, String project, String state, String template, Instant createdAt, Instant stateChangedAt,
                          Instant lastActivityAt, Duration idleTimeout, Duration hibernateAfter, int memoryMb,
                          double cpus, Integer diskMb, Integer maxProcesses, Integer maxOpenFiles, List<String> envNames,
                          Map<String, String> labels, SnapshotInfo snapshot, String failureReason, NetworkPolicy network,
                          Lifecycle lifecycle, Instant expiresAt, List<MountInfo> mounts) {

    /** Copies the collections; null ones are empty, and a null lifecycle is {@link Lifecycle#DEFAULT}. */
    public SandboxInfo {
        envNames = envNames == null ? List.of() : List.copyOf(envNames);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        labels = Validation.strings(labels, "labels");
        lifecycle = lifecycle == null ? Lifecycle.DEFAULT : lifecycle;
    }

    static SandboxInfo from(JsonObject json) {
        JsonObject snapshot = json.optionalObject("snapshot");
        return new SandboxInfo(json.string("id"), json.string("project"), json.string("state"), json.optionalString("template"),
                json.instant("createdAt"), json.instant("stateChangedAt"), json.instant("lastActivityAt"),
                json.seconds("idleTimeoutSeconds"), json.seconds("hibernateAfterSeconds"), json.int32("memoryMb"),
                json.number("cpus"), json.optionalInt32("diskMb"), json.optionalInt32("maxProcesses"), json.optionalInt32("maxOpenFiles"),
                json.strings("envNames"), json.stringMap("labels"),
                snapshot == null ? null : SnapshotInfo.from(snapshot), json.optionalString("failureReason"),
                NetworkPolicy.from(json.optionalObject("network")), Lifecycle.from(json.optionalObject("lifecycle")),
                json.optionalInstant("expiresAt"), json.objects("mounts").stream().map(MountInfo::from).toList());
    }
}
