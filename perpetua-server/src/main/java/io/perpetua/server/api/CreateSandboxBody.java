package io.perpetua.server.api;

import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.Lifecycle;
import io.perpetua.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/sandboxes}; every field is optional. With {@code snapshot}, the
 * sandbox is a copy of a saved snapshot and has the spec of the sandbox it was taken of, so no
 * other field may be given but the volumes and drives to mount.
 */
record CreateSandboxBody(String template, Long idleTimeoutSeconds, Long hibernateAfterSeconds,
                         Map<String, String> env, Map<String, String> labels, Integer memoryMb, Double cpus,
                         Integer diskMb, Integer maxProcesses, Integer maxOpenFiles, NetworkBody network, String snapshot,
                         LifecycleBody lifecycle, List<MountBody> volumes, List<MountBody> drives) {

    static final CreateSandboxBody EMPTY = new CreateSandboxBody(null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    /** The lifecycle asked for; the default (perpetual, no expiry) if none. */
    Lifecycle toLifecycle() {
        return lifecycle == null ? Lifecycle.DEFAULT : lifecycle.over(Lifecycle.DEFAULT);
    }

    /**
     * The snapshot to copy, when it is the only field given.
     *
     * @throws InvalidInputException naming a field given with it
     */
    String snapshotAlone() {
        Map<String, Object> others = new LinkedHashMap<>();
        others.put("template", template);
        others.put("idleTimeoutSeconds", idleTimeoutSeconds);
        others.put("hibernateAfterSeconds", hibernateAfterSeconds);
        others.put("env", env);
        others.put("labels", labels);
        others.put("memoryMb", memoryMb);
        others.put("cpus", cpus);
        others.put("diskMb", diskMb);
        others.put("maxProcesses", maxProcesses);
        others.put("maxOpenFiles", maxOpenFiles);
        others.put("network", network);
        others.put("lifecycle", lifecycle);
        for (Map.Entry<String, Object> other : others.entrySet()) {
            if (other.getValue() != null) {
                throw new InvalidInputException(other.getKey(), other.getKey() + " cannot be given with snapshot: a sandbox made from"
                        + " a snapshot has the spec of the sandbox it was taken of");
            }
        }
        if (snapshot.isBlank()) {
            throw new InvalidInputException("snapshot", "snapshot must be the id of a snapshot");
        }
        return snapshot;
    }

    SandboxSpec toSpec() {
        return new SandboxSpec(template, seconds(idleTimeoutSeconds), seconds(hibernateAfterSeconds), env, labels, memoryMb, cpus,
                diskMb, maxProcesses, maxOpenFiles, network == null ? null : network.toPolicy());
    }

    /** Seconds as a duration, or null; range checks are the spec's, which name the field. */
    static Duration seconds(Long value) {
        return value == null ? null : Duration.ofSeconds(value);
    }
}
