package io.perpetua.server.api;

import io.perpetua.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.Map;

/** The body of {@code POST /v1/sandboxes}; every field is optional. */
record CreateSandboxBody(String template, Long idleTimeoutSeconds, Long hibernateAfterSeconds,
                         Map<String, String> env, Map<String, String> labels, Integer memoryMb, Double cpus,
                         Integer diskMb, Integer maxProcesses, Integer maxOpenFiles, NetworkBody network) {

    static final CreateSandboxBody EMPTY = new CreateSandboxBody(null, null, null, null, null, null, null, null, null, null, null);

    SandboxSpec toSpec() {
        return new SandboxSpec(template, seconds(idleTimeoutSeconds), seconds(hibernateAfterSeconds), env, labels, memoryMb, cpus,
                diskMb, maxProcesses, maxOpenFiles, network == null ? null : network.toPolicy());
    }

    /** Seconds as a duration, or null; range checks are the spec's, which name the field. */
    static Duration seconds(Long value) {
        return value == null ? null : Duration.ofSeconds(value);
    }
}
