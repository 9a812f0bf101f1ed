package io.perpetua.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code perpetua sandbox create}: prints just the new id, so that {@code ID=$(perpetua sandbox create)} works. */
@Command(name = "create", description = "Creates a sandbox and prints its id.")
final class CreateCommand implements Callable<Integer> {

    /** The body of {@code POST /v1/sandboxes}; null fields are left out, so the daemon's defaults apply. */
    record Body(String template, Long idleTimeoutSeconds, Long hibernateAfterSeconds, Map<String, String> env,
                Map<String, String> labels, Integer memoryMb, Double cpus) {
    }

    @Mixin
    private ApiOptions api;

    @Option(names = "--template", paramLabel = "NAME", description = "Template to start from.")
    private String template;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Idle time before the sandbox goes to standby.")
    private Long idleTimeoutSeconds;

    @Option(names = "--hibernate-after", paramLabel = "SECONDS",
            description = "Time in standby before it is checkpointed to disk.")
    private Long hibernateAfterSeconds;

    @Option(names = "--memory", paramLabel = "MB", description = "Memory limit in MiB.")
    private Integer memoryMb;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit, such as 0.5 or 2.")
    private Double cpus;

    @Option(names = "--env", paramLabel = "K=V",
            description = "Environment variable of every command run in it (repeatable).")
    private Map<String, String> env;

    @Option(names = "--label", paramLabel = "K=V", description = "Label to find it by (repeatable).")
    private Map<String, String> labels;

    private final Terminal terminal;

    CreateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Body body = new Body(template, idleTimeoutSeconds, hibernateAfterSeconds, env, labels, memoryMb, cpus);
        JsonNode sandbox;
        try (ApiClient client = api.connect(terminal.env())) {
            sandbox = client.post("/v1/sandboxes", body);
        }
        if (api.json()) {
            terminal.printJson(sandbox);
        } else {
            terminal.out().println(SandboxSummary.of(sandbox).id());
        }
        return 0;
    }
}
