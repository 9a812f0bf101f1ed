package io.perpetua.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a sandbox leaves on the host, read the way an operator would: /proc, cgroupfs, the mount table. */
final class HostTraces {

    private HostTraces() {
    }

    /**
     * Pids of the sandbox's own processes: the runsc sandbox (the sentry, with its ptrace stubs)
     * and the gofer, whose command lines name the sandbox. A runsc CLI deleting runsc's record of
     * a container whose processes are gone is bookkeeping, not a process of the sandbox.
     */
    static List<Long> runscProcesses(String sandboxId) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : proc) {
                String cmdline = read(process.resolve("cmdline")).replace('\0', ' ');
                if ((cmdline.startsWith("runsc-sandbox") || cmdline.startsWith("runsc-gofer")) && cmdline.contains(sandboxId)) {
                    pids.add(Long.parseLong(process.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return pids;
    }

    /** CPU time used by every container cgroup of the sandbox, in nanoseconds. */
    static long cpuNanos(String cgroupParent, String sandboxId) {
        long total = 0;
        for (Path cgroup : cgroups("cpuacct", cgroupParent, sandboxId)) {
            total += Long.parseLong(read(cgroup.resolve("cpuacct.usage")).strip());
        }
        return total;
    }

    /** The container cgroups of the sandbox in one hierarchy. */
    static List<Path> cgroups(String controller, String cgroupParent, String sandboxId) {
        Path parent = Path.of("/sys/fs/cgroup", controller, cgroupParent);
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, sandboxId + "-*")) {
            List<Path> found = new ArrayList<>();
            children.forEach(found::add);
            return found;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + parent, e);
        }
    }

    /** Mount points at or below {@code directory}. */
    static List<String> mountsUnder(Path directory) {
        return read(Path.of("/proc/self/mountinfo")).lines().map(line -> line.split(" ")[4])
                .filter(point -> point.startsWith(directory.toString()))
                .toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
