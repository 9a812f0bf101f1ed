package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swap that reclaimed sandboxes' memory goes to: a file of its own in the runtime's
 * directory, readable by root alone (what a sandbox had in memory is as private there as in a
 * checkpoint file), switched on at start and kept on across restarts of the daemon. Without it
 * (size 0, or a host that refuses swap) there is no reclaimed tier, and the daemon says why.
 */
final class SwapSpace {

    private static final Logger log = LoggerFactory.getLogger(SwapSpace.class);
    private static final Duration LIMIT = Duration.ofMinutes(2);

    private final Path file;
    private final boolean on;

    private SwapSpace(Path file, boolean on) {
        this.file = file;
        this.on = on;
    }

    /** Switches on a swap file of {@code sizeMb} MiB at {@code file}, made if missing; none if the size is 0. */
    static SwapSpace prepare(Path file, long sizeMb) {
        if (sizeMb == 0) {
            log.info("no swap configured: standby sandboxes keep their memory until they hibernate (no reclaimed tier)");
            return new SwapSpace(file, false);
        }
        try {
            if (!isActive(file)) {
                make(file, sizeMb);
                HostCommand.run(List.of("swapon", file.toString()), LIMIT).orThrow("switching on swap " + file);
            }
            log.info("swap {} on ({} MiB): standby sandboxes give their memory back after --reclaim-after", file, sizeMb);
            return new SwapSpace(file, true);
        } catch (RuntimeException e) {
            log.warn("cannot use swap at {} ({}); running without the reclaimed tier: standby sandboxes keep their memory until they"
                    + " hibernate", file, e.getMessage());
            return new SwapSpace(file, false);
        }
    }

    private static void make(Path file, long sizeMb) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot make the swap file " + file + ": " + e.getMessage(), e);
        }
        HostCommand.run(List.of("fallocate", "-l", sizeMb + "M", file.toString()), LIMIT).orThrow("allocating swap " + file);
        HostCommand.run(List.of("mkswap", file.toString()), LIMIT).orThrow("formatting swap " + file);
    }

    private static boolean isActive(Path file) {
        try {
            return Files.readAllLines(Path.of("/proc/swaps")).stream().skip(1)
                    .anyMatch(line -> line.split("\\s+")[0].equals(file.toString()));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether memory can be reclaimed to it. */
    boolean isOn() {
        return on;
    }

    /** Switches it off (its pages come back to RAM first) and deletes it: for a test's purge only. */
    void remove() {
        if (isActive(file)) {
            HostCommand.run(List.of("swapoff", file.toString()), LIMIT).orThrow("switching off swap " + file);
        }
        FileTrees.deleteQuietly(file);
    }
}
