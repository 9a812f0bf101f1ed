package io.perpetua.runtime.gvisor;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.runtime.ContainerStatus;
import io.perpetua.sandbox.ContainerRef;
import java.io.IOException;
import java.nio.file.Files;
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
    /** The longest a checkpoint or a restore may take. */
    static final Duration SLOW = Duration.ofMinutes(15);
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
    /** The file in a checkpoint's image directory recording runsc checkpoint's exit status. */
    static final String CHECKPOINT_STATUS = "runsc-checkpoint.status";
    /** {@code sh -c} script: runs its arguments after the first (the image directory), then records how they ended. */
    private static final String CHECKPOINT_SCRIPT = """
            image=$1; shift
            "$@"; status=$?
            if [ "$status" -eq 0 ]; then sync "$image"/* "$image" || status=1; fi
            printf '%%s\\n' "$status" > "$image/%1$s.part" && mv "$image/%1$s.part" "$image/%1$s" && sync "$image"
            exit "$status"
            """.formatted(CHECKPOINT_STATUS);

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

    /**
     * Changes the host name of container {@code ref}'s sandbox: a restore keeps the checkpointed
     * one and ignores the bundle's, so a copy of another sandbox is renamed this way. Changing it
     * needs CAP_SYS_ADMIN inside the sandbox's own kernel, which the exec is given for this one command.
     */
    void setHostname(ContainerRef ref, String name) {
        HostCommand.run(command("exec", "--cap", "CAP_SYS_ADMIN", ref.containerId(), "/bin/hostname", name), QUICK)
                .orThrow("renaming the host of " + ref.containerId());
    }

    /**
     * Runs {@code script} with {@code sh} in container {@code ref} with CAP_SYS_ADMIN in the
     * sandbox's own kernel (to mount there), for the runtime's own work, never the user's.
     */
    void runPrivileged(ContainerRef ref, String script, String what) {
        HostCommand.run(command("exec", "--cap", "CAP_SYS_ADMIN", ref.containerId(), "/bin/sh", "-c", script), QUICK)
                .orThrow(what + " in " + ref.containerId());
    }

    void run(ContainerRef ref, Path bundle, Path log) {
        HostCommand.runDetaching(starting(command("run", "--detach", "--bundle", bundle.toString(), ref.containerId())), QUICK, log)
                .orThrow("runsc run of " + ref.containerId());
    }

    /**
     * This runsc refuses to start a networked sandbox from the root network namespace, which it
     * recognises by /proc/sys/net; in a mount namespace of its own with that hidden, it starts
     * (RUNSC-FACTS), and the sandbox joins the network namespace its bundle names. The namespace
     * is a slave of the host's, not private: volumes bound on the host into a sandbox's shared
     * mount directory after it started must propagate to its gofer (see {@link SandboxMounts}).
     */
    private List<String> starting(List<String> runscCommand) {
        if (!config.network().enabled()) {
            return runscCommand;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "--propagation", "slave", "sh", "-c",
                "mount -t tmpfs none /proc/sys/net && exec \"$@\"", "sh"));
        wrapped.addAll(runscCommand);
        return wrapped;
    }

    /**
     * Checkpoints through a shell that outlives the daemon: if the daemon dies meanwhile, the
     * checkpoint still runs to its end, and the shell then records how it ended (runsc's exit
     * status, written after the image is flushed to disk) in {@link #CHECKPOINT_STATUS}, where
     * the next start reads it ({@link #checkpointCompleted}).
     */
    void checkpoint(ContainerRef ref, Path imageDirectory, Path log) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", CHECKPOINT_SCRIPT, "sh", imageDirectory.toString()));
        wrapped.addAll(command("checkpoint", "--image-path", imageDirectory.toString(), ref.containerId()));
        HostCommand.runDetaching(wrapped, SLOW, log, CrashPoint.HIBERNATE_CHECKPOINTING::reach)
                .orThrow("runsc checkpoint of " + ref.containerId());
    }

    /** Whether the checkpoint into {@code imageDirectory} ended, and ended well, as its shell recorded. */
    static boolean checkpointCompleted(Path imageDirectory) {
        try {
            return Files.readString(imageDirectory.resolve(CHECKPOINT_STATUS)).strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    void restore(ContainerRef ref, Path bundle, Path imageDirectory, Path log) {
        HostCommand.runDetaching(starting(command("restore", "--detach", "--image-path", imageDirectory.toString(),
                        "--bundle", bundle.toString(), ref.containerId())), SLOW, log, CrashPoint.RESTORE_RESTORING::reach)
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
