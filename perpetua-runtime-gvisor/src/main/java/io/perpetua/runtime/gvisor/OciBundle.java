package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.lifecycle.LifecycleSettings;
import io.perpetua.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the OCI runtime spec (config.json) of a container. It sets the memory, process and
 * open-file limits; the CPU
 * limit is applied to the cgroup only once the container runs (see {@link Cgroups#limitCpu}),
 * so that starting and restoring, which are the platform's work, are not throttled by it. Written by hand rather than with a
 * JSON library: the document is small and fixed in shape, and this module stays free of one.
 */
final class OciBundle {

    /** The environment every process starts with; the sandbox's own variables are laid over it. */
    static final Map<String, String> BASE_ENV = baseEnv();

    private OciBundle() {
    }

    /** Writes {@code config.json} into {@code directory} atomically. */
    static void write(SandboxDirectory directory, RootFilesystem template, SandboxSpec spec, String cgroupsPath, String networkNamespace) {
        String json = render(directory, template, spec, cgroupsPath, networkNamespace);
        Path target = directory.bundle().resolve("config.json");
        Path temporary = directory.bundle().resolve("config.json.tmp");
        try {
            Files.writeString(temporary, json);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot write the bundle spec " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the sandbox's own kernel and gofer need of the host's process table besides the
     * sandbox's processes: the host's pids limit is on the whole container, Go threads included.
     */
    static final int HOST_THREADS = 256;

    /** The spec; {@code networkNamespace} is the path of the namespace to join, or null for a new, empty one. */
    static String render(SandboxDirectory directory, RootFilesystem template, SandboxSpec spec, String cgroupsPath, String networkNamespace) {
        Map<String, String> env = new LinkedHashMap<>(BASE_ENV);
        env.putAll(spec.env());
        List<String> envEntries = new ArrayList<>();
        env.forEach((name, value) -> envEntries.add(quote(name + "=" + value)));
        long memory = spec.memoryMb() * 1024L * 1024L;
        SandboxSpec limits = spec.withDefaults(LifecycleSettings.PRODUCT_LIMITS);
        return """
                {
                  "ociVersion": "1.0.2",
                  "process": {
                    "terminal": false,
                    "user": {"uid": 0, "gid": 0},
                    "args": [%s],
                    "env": [%s],
                    "cwd": "/root",
                    "rlimits": [
                      {"type": "RLIMIT_NOFILE", "hard": %d, "soft": %d},
                      {"type": "RLIMIT_NPROC", "hard": %d, "soft": %d}
                    ]
                  },
                  "root": {"path": %s, "readonly": false},
                  "hostname": %s,
                  "mounts": [
                    {"destination": "/proc", "type": "proc", "source": "proc"},
                    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                    {"destination": "/tmp", "type": "bind", "source": %s, "options": ["rbind", "rw"]},
                    {"destination": %s, "type": "bind", "source": %s, "options": ["rbind", "ro"]},
                    {"destination": %s, "type": "bind", "source": %s, "options": ["rbind", "rw"]}
                  ],
                  "linux": {
                    "cgroupsPath": %s,
                    "resources": {
                      "memory": {"limit": %d},
                      "pids": {"limit": %d}
                    },
                    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, %s]
                  }
                }
                """.formatted(quote(DefaultTemplate.INIT), String.join(", ", envEntries),
                limits.maxOpenFiles(), limits.maxOpenFiles(), limits.maxProcesses(), limits.maxProcesses(),
                quote(directory.rootfs().toString()), quote(hostname(directory)), quote(directory.rootfs().resolve("tmp").toString()),
                quote(DefaultTemplate.HELPERS), quote(template.helpers().toString()),
                quote(SandboxMounts.INSIDE), quote(new SandboxMounts(directory).hostDirectory().toString()),
                quote(cgroupsPath), memory, limits.maxProcesses() + HOST_THREADS,
                networkNamespace == null ? "{\"type\": \"network\"}" : "{\"type\": \"network\", \"path\": " + quote(networkNamespace) + "}");
    }

    /**
     * A sandbox's host name is its id, so that a copy (which a restore leaves with its source's
     * name, see {@link RunscCli#setHostname}) and its source tell themselves apart.
     */
    static String hostname(SandboxDirectory directory) {
        return directory.root().getFileName().toString();
    }

    /** A JSON string literal. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", "/root");
        env.put("LANG", "C.UTF-8");
        env.put("TERM", "xterm-256color");
        return Collections.unmodifiableMap(env);
    }
}
