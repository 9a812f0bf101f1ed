package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SandboxSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perpetua sandbox create}: prints just the new id, so that {@code ID=$(perpetua sandbox create)} works. */
@Command(name = "create", description = "Creates a sandbox and prints its id.")
final class CreateCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

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

    @Option(names = "--disk", paramLabel = "MB", description = "Size of its writable disk in MiB.")
    private Integer diskMb;

    @Option(names = "--max-processes", paramLabel = "N", description = "Processes and threads it may have at once.")
    private Integer maxProcesses;

    @Option(names = "--max-open-files", paramLabel = "N", description = "Files each of its processes may hold open.")
    private Integer maxOpenFiles;

    @Option(names = "--env", paramLabel = "K=V",
            description = "Environment variable of every command run in it (repeatable).")
    private Map<String, String> env;

    @Option(names = "--label", paramLabel = "K=V", description = "Label to find it by (repeatable).")
    private Map<String, String> labels;

    @Mixin
    private NetworkOptions network;

    private final Terminal terminal;

    CreateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        SandboxSpec spec = SandboxSpec.builder()
                .template(template)
                .idleTimeout(seconds(idleTimeoutSeconds))
                .hibernateAfter(seconds(hibernateAfterSeconds))
                .env(env == null ? Map.of() : env)
                .labels(labels == null ? Map.of() : labels)
                .memoryMb(memoryMb)
                .cpus(cpus)
                .diskMb(diskMb)
                .maxProcesses(maxProcesses)
                .maxOpenFiles(maxOpenFiles)
                .network(network.policy())
                .build();
        SandboxInfo sandbox;
        try (Perpetua client = api.connect(terminal.env())) {
            sandbox = client.sandboxes().create(spec).info();
        }
        if (output.json()) {
            terminal.printJson(JsonViews.sandbox(sandbox));
        } else {
            terminal.out().println(sandbox.id());
        }
        return 0;
    }

    private static Duration seconds(Long seconds) {
        return seconds == null ? null : Duration.ofSeconds(seconds);
    }
}
