package io.perpetua.server;

import io.perpetua.sandbox.ContainerRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything one daemon holds on the host, found the way an operator would find it (the
 * namespaces in /var/run/netns, the mount table, the loop devices, cgroupfs, /proc), each thing
 * named with the sandbox it belongs to, so that a test can check that nothing is left that the
 * daemon cannot account for.
 *
 * @param networkNamespaces the sandboxes' network namespaces on the daemon's subnet
 * @param mounts            mount points under the data directory
 * @param loopDevices       loop devices whose backing file is under the data directory
 * @param cgroups           container cgroups under the daemon's cgroup parent, in any hierarchy
 * @param runscProcesses    processes of runsc (sandboxes, gofers, commands) of the daemon's state root
 */
record HostFootprint(Set<String> networkNamespaces, Set<String> mounts, Set<String> loopDevices, Set<String> cgroups,
                     Set<String> runscProcesses) {

    private static final Pattern SANDBOX_ID = Pattern.compile("sb[a-z2-7]{14}");

    /** What {@code daemon} holds now. */
    static HostFootprint of(Daemon daemon) {
        Path data = daemon.dataDirectory();
        return new HostFootprint(networkNamespaces(Daemon.TEST_SUBNET), mountsUnder(data), loopDevicesUnder(data),
                cgroups(daemon.cgroupParent()), runscProcesses(data.resolve("runsc")));
    }

    /** Whether nothing at all is held. */
    boolean isEmpty() {
        return networkNamespaces.isEmpty() && mounts.isEmpty() && loopDevices.isEmpty() && cgroups.isEmpty() && runscProcesses.isEmpty();
    }

    /** The sandboxes anything held belongs to (as far as its name tells), and "?" for a thing that names none. */
    Set<String> sandboxes() {
        Set<String> ids = new TreeSet<>();
        for (Set<String> things : List.of(networkNamespaces, mounts, loopDevices, cgroups, runscProcesses)) {
            for (String thing : things) {
                Matcher id = SANDBOX_ID.matcher(thing);
                ids.add(id.find() ? id.group() : "?");
            }
        }
        return ids;
    }

    /**
     * The sandboxes' namespaces whose host end of the veth pair has an address of the subnet (the
     * sandbox's own end has none while runsc runs: it takes the address into its own stack).
     * The host end is named "pv" and the last 13 characters of the sandbox id.
     */
    private static Set<String> networkNamespaces(String subnet) {
        String prefix = subnet.substring(0, subnet.indexOf('.', subnet.indexOf('.') + 1) + 1);
        Set<String> hostEnds = new TreeSet<>();
        for (String line : run("ip", "-o", "-4", "addr", "show").lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && fields[1].startsWith("pv") && fields[3].startsWith(prefix)) {
                hostEnds.add(fields[1].split("@")[0].substring(2));
            }
        }
        Set<String> found = new TreeSet<>();
        Path netns = Path.of("/var/run/netns");
        if (!Files.isDirectory(netns)) {
            return found;
        }
        try (DirectoryStream<Path> names = Files.newDirectoryStream(netns, "perpetua-*")) {
            for (Path name : names) {
                String namespace = name.getFileName().toString();
                if (namespace.length() > 13 && hostEnds.contains(namespace.substring(namespace.length() - 13))) {
                    found.add(namespace);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + netns, e);
        }
        return found;
    }

    private static Set<String> mountsUnder(Path directory) {
        return new TreeSet<>(HostTraces.mountsUnder(directory));
    }

    private static Set<String> loopDevicesUnder(Path directory) {
        Set<String> found = new TreeSet<>();
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(Path.of("/sys/block"), "loop*")) {
            for (Path device : devices) {
                String backing = read(device.resolve("loop/backing_file")).strip();
                if (backing.startsWith(directory.toString())) {
                    found.add(device.getFileName() + " " + backing);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /sys/block", e);
        }
        return found;
    }

    private static Set<String> cgroups(String parent) {
        Set<String> found = new TreeSet<>();
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"), Files::isDirectory)) {
            for (Path hierarchy : hierarchies) {
                Path dir = hierarchy.resolve(parent);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                    for (Path child : children) {
                        if (ContainerRef.parse(child.getFileName().toString()) != null) {
                            found.add(hierarchy.getFileName() + "/" + parent + "/" + child.getFileName());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /sys/fs/cgroup", e);
        }
        return found;
    }

    private static Set<String> runscProcesses(Path stateRoot) {
        Set<String> found = new TreeSet<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : proc) {
                String cmdline = read(process.resolve("cmdline")).replace('\0', ' ');
                if (cmdline.contains("--root=" + stateRoot + " ")) {
                    found.add(process.getFileName() + " " + cmdline.strip());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("network namespaces " + networkNamespaces);
        parts.add("mounts " + mounts);
        parts.add("loop devices " + loopDevices);
        parts.add("cgroups " + cgroups);
        parts.add("runsc processes " + runscProcesses);
        return String.join("; ", parts);
    }
}
