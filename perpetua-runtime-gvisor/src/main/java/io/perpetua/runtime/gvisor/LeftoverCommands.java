package io.perpetua.runtime.gvisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runsc commands an earlier daemon of the same data directory left running when it died.
 * They were started with stdio that outlives the daemon, so they run to their end: a checkpoint
 * finishes writing its image, a restore brings its container up. A new daemon waits for them
 * before it looks at what exists, so that it never adopts, sweeps or removes something still
 * being made. An {@code exec} left behind served a stream whose client went with the daemon;
 * it is ended, as the stream would have ended it.
 */
final class LeftoverCommands {

    private static final Logger log = LoggerFactory.getLogger(LeftoverCommands.class);
    /** The sandbox's own processes (runsc re-executes itself under these names); they are containers, not commands. */
    private static final Set<String> SANDBOX_PROCESSES = Set.of("runsc-sandbox", "runsc-gofer");
    private static final Duration POLL = Duration.ofMillis(50);

    /** One process of a runsc command line (or a shell wrapping one), as /proc shows it. */
    record Command(long pid, String subcommand, List<String> argv) {
    }

    private final String rootFlag;

    LeftoverCommands(Path stateRoot) {
        this.rootFlag = "--root=" + stateRoot;
    }

    /**
     * Ends leftover execs and waits (at most {@code limit}) for every other leftover command.
     * Call before this daemon starts commands of its own.
     */
    void settle(Duration limit) {
        List<Command> found = find();
        if (found.isEmpty()) {
            return;
        }
        found.stream().filter(command -> command.subcommand().equals("exec")).forEach(this::end);
        List<Command> awaited = found.stream().filter(command -> !command.subcommand().equals("exec")).toList();
        if (awaited.isEmpty()) {
            return;
        }
        log.info("waiting for {} runsc command(s) the previous daemon left running: {}", awaited.size(),
                awaited.stream().map(command -> command.subcommand() + " (pid " + command.pid() + ")").toList());
        long deadline = System.nanoTime() + limit.toNanos();
        while (awaited.stream().anyMatch(command -> alive(command.pid())) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL.toNanos());
        }
        List<Long> still = awaited.stream().map(Command::pid).filter(LeftoverCommands::alive).toList();
        if (!still.isEmpty()) {
            log.warn("runsc command(s) {} still running after {} s; going on without them", still, limit.toSeconds());
        }
    }

    /** Every runsc command of this state root running now, shells and unshare wrappers around one included. */
    List<Command> find() {
        List<Command> commands = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            processes.filter(dir -> dir.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(dir -> command(dir).ifPresent(commands::add));
        } catch (IOException e) {
            log.warn("cannot list /proc to find leftover runsc commands", e);
        }
        return commands;
    }

    private Optional<Command> command(Path processDirectory) {
        List<String> argv = argv(processDirectory.resolve("cmdline"));
        int root = argv.indexOf(rootFlag);
        if (root < 0 || SANDBOX_PROCESSES.contains(Path.of(argv.getFirst()).getFileName().toString())) {
            return Optional.empty();
        }
        long pid = Long.parseLong(processDirectory.getFileName().toString());
        if (pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        return argv.subList(root + 1, argv.size()).stream().filter(arg -> !arg.startsWith("-")).findFirst()
                .map(subcommand -> new Command(pid, subcommand, argv));
    }

    private void end(Command exec) {
        log.info("ending runsc exec {} left by the previous daemon (its stream's client is gone)", exec.pid());
        ProcessHandle.of(exec.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static List<String> argv(Path cmdline) {
        try {
            String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\0"));
        } catch (IOException e) {
            return List.of(); // the process ended meanwhile
        }
    }
}
