package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Host mounts, through mount(8) and umount(8); the mount table is read from /proc/self/mountinfo. */
final class Mounts {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Mounts() {
    }

    /** Mounts an overlay of {@code lowers} (top first) and {@code upper} at {@code target}. */
    static void overlay(List<Path> lowers, Path upper, Path work, Path target) {
        String options = "lowerdir=" + String.join(":", lowers.stream().map(Path::toString).toList())
                + ",upperdir=" + upper + ",workdir=" + work;
        HostCommand.run(List.of("mount", "-t", "overlay", "overlay", "-o", options, target.toString()), LIMIT)
                .orThrow("mounting the overlay at " + target);
    }

    /**
     * Makes {@code image} a sparse file of {@code sizeMb} MiB holding an empty ext4 file system:
     * no blocks reserved for root (the sandbox is root), and tables initialised lazily, so it
     * takes milliseconds and a few MB of the host's disk until the sandbox writes.
     */
    static void makeDisk(Path image, int sizeMb) {
        HostCommand.run(List.of("truncate", "-s", sizeMb + "M", image.toString()), LIMIT).orThrow("sizing the disk " + image);
        HostCommand.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-E", "nodiscard,lazy_itable_init=1,lazy_journal_init=1",
                image.toString()), LIMIT).orThrow("making a file system on " + image);
    }

    /** Mounts the disk {@code image} at {@code target}; blocks freed inside go back to the host (discard). */
    static void disk(Path image, Path target) {
        HostCommand.run(List.of("mount", "-o", "loop,discard,noatime", image.toString(), target.toString()), LIMIT)
                .orThrow("mounting the disk " + image);
    }

    /** Binds {@code source} at {@code target}, writable. */
    static void bind(Path source, Path target) {
        HostCommand.run(List.of("mount", "--bind", source.toString(), target.toString()), LIMIT)
                .orThrow("binding " + source + " at " + target);
    }

    /**
     * Binds {@code source} at {@code target}, read-only. A read-only bind made in one step, or
     * remounted read-only where it propagates to, leaks writes into the sandboxes that receive it
     * (measured); so it is made read-only at {@code staging}, a private mount point, first, and
     * only then bound into place.
     */
    static void bindReadOnly(Path source, Path target, Path staging) {
        bind(source, staging);
        try {
            HostCommand.run(List.of("mount", "--make-private", staging.toString()), LIMIT).orThrow("making " + staging + " private");
            HostCommand.run(List.of("mount", "-o", "remount,bind,ro", staging.toString()), LIMIT).orThrow("making " + staging + " read-only");
            bind(staging, target);
        } finally {
            unmountAll(staging);
        }
    }

    /**
     * Mounts a small tmpfs at {@code directory}, shared, unless it is mounted already (then it is
     * this one: nothing to do on the restore path). Shared: its later submounts propagate into the
     * copies other mount namespaces hold, so a sandbox's gofer sees what is mounted there after it started. A tmpfs of 1 MiB, not a
     * directory of the host's disk, so that what a sandbox writes there cannot fill the host.
     */
    static void share(Path directory) {
        if (isMounted(directory)) {
            return;
        }
        HostCommand.run(List.of("mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=4096,mode=755,shared", "perpetua-mounts",
                directory.toString()), LIMIT).orThrow("mounting the mount directory " + directory);
    }

    static boolean isMounted(Path target) {
        return mountPoints().contains(target.toString());
    }

    /** Unmounts everything at or below {@code root}, deepest first; lazily if a mount is busy. */
    static void unmountAll(Path root) {
        List<String> below = mountPoints().stream()
                .filter(point -> point.equals(root.toString()) || point.startsWith(root + "/"))
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String point : below) {
            HostCommand.Result result = HostCommand.run(List.of("umount", point), LIMIT);
            if (!result.succeeded()) {
                HostCommand.run(List.of("umount", "--lazy", point), LIMIT).orThrow("unmounting " + point);
            }
        }
    }

    /** Whether anything is mounted at or below {@code root}. */
    static boolean anyUnder(Path root) {
        return mountPoints().stream().anyMatch(point -> point.equals(root.toString()) || point.startsWith(root + "/"));
    }

    private static List<String> mountPoints() {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    points.add(unescape(fields[4]));
                }
            }
            return points;
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
