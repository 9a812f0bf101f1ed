package io.perpetua.server.api;

import io.perpetua.sandbox.ExecRequest;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /v1/sandboxes/{id}/exec}; {@code cmd} is required. */
record ExecBody(List<String> cmd, String cwd, Map<String, String> env, String stdin, Long timeoutSeconds) {

    ExecRequest toRequest() {
        return new ExecRequest(cmd, cwd, env, stdin, CreateSandboxBody.seconds(timeoutSeconds));
    }
}
