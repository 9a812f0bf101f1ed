package io.perpetua.cli;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The fields of a sandbox that the text output shows; {@code --output json} prints the daemon's whole object. */
record SandboxSummary(String id, String state, String template, String createdAt, String lastActivityAt,
                      Map<String, String> labels) {

    SandboxSummary {
        labels = labels == null ? Map.of() : labels;
    }

    static SandboxSummary of(JsonNode sandbox) {
        return ApiClient.JSON.treeToValue(sandbox, SandboxSummary.class);
    }
}
