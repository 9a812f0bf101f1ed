package io.perpetua.cli;

import io.perpetua.client.Mount;
import io.perpetua.client.Perpetua;
import io.perpetua.client.SandboxInfo;
import io.perpetua.client.SandboxSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code perpetua sandbox create}: prints just the new id, so that {@code ID=$(perpetua sandbox create)} works. */
@Command(name = "create", description = "Creates a sandbox, or a copy of a saved snapshot, and prints its id.")
final class CreateCommand implements Callable<Integer> {

    /**
     * The options that go with {@code --snapshot}: a copy takes every setting of the sandbox from
     * its snapshot, but for the volumes and drives it mounts.
     */
    private static final Set<String> WITH_SNAPSHOT = Set.of("--snapshot", "--url", "--output", "--volume", "--drive");

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Option(names = "--snapshot", paramLabel = "ID",
            description = "Make it a copy of this saved snapshot: its processes, memory, files and settings. "
                    + "No other setting goes with it but --volume and --drive.")
    private String snapshot;

    @Option(names = "--template", paramLabel = "NAME",
            description = "Template to start from: default, or one built with 'template build', whose state, running "
                    + "servers and resources the sandbox gets (so --memory, --cpus, --disk, --max-processes and "
                    + "--max-open-files are not given with one).")
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

    @Option(names = "--volume", paramLabel = MountArgument.FORMAT, converter = MountArgument.Converter.class,
            description = "Mount this volume (its name or id) at /PATH, read-only with :ro (repeatable). "
                    + "A volume has one writer at a time: a second read-write mount is refused.")
    private List<MountArgument> volumes;

    @Option(names = "--drive", paramLabel = MountArgument.FORMAT, converter = MountArgument.Converter.class,
            description = "Mount this drive (its name or id) at /PATH, read-only with :ro (repeatable). "
                    + "Any number of sandboxes write a drive at once.")
    private List<MountArgument> drives;

    @Mixin
    private NetworkOptions network;

    @Mixin
    private LifecycleOptions lifecycle;

    @Spec
    private CommandSpec command;

    private final Terminal terminal;

    CreateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        checkSnapshotAlone();
        SandboxSpec spec = snapshot == null ? spec() : null;
        SandboxInfo sandbox;
        try (Perpetua client = api.connect(terminal.env())) {
            sandbox = (spec != null ? client.sandboxes().create(spec) : client.sandboxes().createFromSnapshot(snapshot, mounts())).info();
        }
        if (output.json()) {
            terminal.printJson(JsonViews.sandbox(sandbox));
        } else {
            terminal.out().println(sandbox.id());
        }
        return 0;
    }

    private SandboxSpec spec() {
        SandboxSpec.Builder builder = SandboxSpec.builder();
        mounts().forEach(builder::mount);
        return builder
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
                .lifecycle(lifecycle.lifecycle())
                .build();
    }

    /** The volumes, then the drives, in the order given. */
    private List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        if (volumes != null) {
            volumes.forEach(volume -> mounts.add(volume.volume()));
        }
        if (drives != null) {
            drives.forEach(drive -> mounts.add(drive.drive()));
        }
        return mounts;
    }

    /** With {@code --snapshot}, refuses every option that would set something of the sandbox: the daemon would. */
    private void checkSnapshotAlone() {
        if (snapshot == null) {
            return;
        }
        List<String> others = command.commandLine().getParseResult().matchedOptions().stream()
                .map(OptionSpec::longestName)
                .filter(name -> !WITH_SNAPSHOT.contains(name))
                .distinct()
                .toList();
        if (!others.isEmpty()) {
            throw new ParameterException(command.commandLine(), "--snapshot makes a copy with every setting of its snapshot; "
                    + "give it without " + String.join(", ", others));
        }
    }

    private static Duration seconds(Long seconds) {
        return seconds == null ? null : Duration.ofSeconds(seconds);
    }
}
