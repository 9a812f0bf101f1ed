package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runsc command line. Each call starts a Go program (20-35 ms), so none of these is on the
 * resume path: freezing and thawing go through the cgroup files instead.
 */
final class RunscCli {

    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Duration SLOW = Duration.ofMinutes(15);
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");

    private final RunscConfig config;

    RunscCli(RunscConfig config) {
        this.config = config;
    }

    /** The start of every runsc command line: the program and its global flags. */
    List<String> command(String... subcommand) {
        List<String> command = new ArrayList<>(List.of(config.runsc(),
                "--root=" + config.stateRoot(),
                "--platform=" + config.platform(),
                "--network=" + (config.network().enabled() ? "sandbox" : "none")));
        command.addAll(List.of(subcommand));
        return command;
    }

    void run(ContainerRef ref, Path bundle, Path log) {
        HostCommand.runDetaching(starting(command("run", "--detach", "--bundle", bundle.toString(), ref.containerId())), QUICK, log)
                .orThrow("runsc run of " + ref.containerId());
    }

    /**
     * This runsc refuses to start a networked sandbox from the root network namespace, which it
     * recognises by /proc/sys/net; in a private mount namespace with that hidden, it starts
     * (RUNSC-FACTS), and the sandbox joins the network namespace its bundle names.
     */
    private List<String> starting(List<String> runscCommand) {
        if (!config.network().enabled()) {
            return runscCommand;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /proc/sys/net && exec \"$@\"", "sh"));
        wrapped.addAll(runscCommand);
        return wrapped;
    }

    void checkpoint(ContainerRef ref, Path imageDirectory) {
        HostCommand.run(command("checkpoint", "--image-path", imageDirectory.toString(), ref.containerId()), SLOW)
                .orThrow("runsc checkpoint of " + ref.containerId());
    }

    void restore(ContainerRef ref, Path bundle, Path imageDirectory, Path log) {
        HostCommand.runDetaching(starting(command("restore", "--detach", "--image-path", imageDirectory.toString(),
                        "--bundle", bundle.toString(), ref.containerId())), SLOW, log)
                .orThrow("runsc restore of " + ref.containerId());
    }

    /** Kills (if needed) and deletes a container; a missing container is not an error. */
    void delete(ContainerRef ref) {
        HostCommand.Result result = HostCommand.run(command("delete", "--force", ref.containerId()), QUICK);
        if (!result.succeeded() && !isMissing(result)) {
            result.orThrow("runsc delete of " + ref.containerId());
        }
    }

    /** {@code running}, {@code stopped}, {@code created}, {@code paused}, or {@code MISSING}. */
    ContainerStatus status(ContainerRef ref) {
        HostCommand.Result result = HostCommand.run(command("state", ref.containerId()), QUICK);
        if (!result.succeeded()) {
            if (isMissing(result)) {
                return ContainerStatus.MISSING;
            }
            result.orThrow("runsc state of " + ref.containerId());
        }
        Matcher matcher = STATUS.matcher(result.stdout());
        if (!matcher.find()) {
            throw new RuntimeFailureException("runsc state of " + ref.containerId() + " printed no status: " + result.stdout());
        }
        return switch (matcher.group(1)) {
            case "running" -> ContainerStatus.RUNNING;
            case "paused" -> ContainerStatus.FROZEN;
            default -> ContainerStatus.STOPPED;
        };
    }

    /** Every container in this runtime's state root whose id is one of ours. */
    List<ContainerRef> list() {
        HostCommand.Result result = HostCommand.run(command("list", "--quiet"), QUICK).orThrow("runsc list");
        return result.stdout().lines().map(String::strip).map(ContainerRef::parse).filter(Objects::nonNull).toList();
    }

    private static boolean isMissing(HostCommand.Result result) {
        String text = result.describe();
        return text.contains("does not exist") || text.contains("no such file or directory") || text.contains("not found");
    }
}
