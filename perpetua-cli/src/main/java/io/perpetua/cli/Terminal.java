package io.perpetua.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** What a command may read and write: the CLI's own streams and environment, injected so tests run in-process. */
record Terminal(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {

    void printJson(JsonNode node) {
        out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }

    void fail(String message) {
        err.println("perpetua: " + message);
    }
}
