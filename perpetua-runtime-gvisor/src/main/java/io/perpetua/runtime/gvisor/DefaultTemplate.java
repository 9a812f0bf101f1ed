package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code default} template: the host's userland (bash, coreutils, python3, git) without
 * the host's secrets. It is two read-only layers that every sandbox overlays with its own
 * writable layers:
 * <ul>
 *   <li>{@code rootfs}: a fresh root with its own {@code /root}, {@code /home}, {@code /tmp},
 *       {@code /var}, and an {@code /etc} copied from the host's, keeping only what every host
 *       user may read anyway (so no shadow files, private keys or ssh host keys);</li>
 *   <li>{@code usr-mask}: laid over the host's {@code /usr}; it hides {@code /usr/local},
 *       where a host keeps its own tools.</li>
 * </ul>
 * Its {@code helpers} directory is mounted read-only at {@code /opt/perpetua} in every
 * sandbox, so code in the sandbox cannot replace them. It holds programs compiled from this
 * module's C sources when the template is built: the statx shim preloaded into every process
 * (RUNSC-FACTS: GNU {@code ls -l} fails without it), the init that reaps orphans and keeps
 * the agent running, the agent that runs API commands over the sandbox network, and the
 * {@code run} helper that runs them through {@code runsc exec} when there is no agent to reach. A template is built once, into a
 * temporary directory that is renamed into place when complete.
 */
final class DefaultTemplate implements RootFilesystem {

    static final String NAME = "default";
    /** Bump when the template's content changes, so existing data directories rebuild it. */
    private static final int VERSION = 13;
    /** Where the helpers are mounted in the sandbox. */
    static final String HELPERS = "/opt/perpetua";
    static final String INIT = HELPERS + "/bin/init";
    static final String RUN = HELPERS + "/bin/run";
    static final String SUPERVISE = HELPERS + "/bin/supervise";
    static final String PTY = HELPERS + "/bin/pty";
    static final String WATCH = HELPERS + "/bin/watch";
    static final String AGENT = HELPERS + "/bin/agent";
    private static final String STATX_SHIM = HELPERS + "/lib/libstatxfix.so";
    private static final Path HOST_ETC = Path.of("/etc");
    private static final Set<String> ETC_EXCLUDED = Set.of("ssh", "machine-id", "hostname", "hosts", "ld.so.preload");
    private static final Duration COMPILE_LIMIT = Duration.ofMinutes(2);
    /** Starting and stopping a helper's command, compiled into each helper that runs one. */
    private static final String COMMAND = "command.c";
    /** Keeping a supervised process's record, compiled into the supervise program and the agent. */
    private static final String SUPERVISION = "supervision.c";
    private static final List<String> SOURCES = List.of("command.h", COMMAND, "supervision.h", SUPERVISION, "statx_fix.c", "init.c",
            "run.c", "supervise.c", "pty.c", "watch.c", "agent.c");
    private static final Logger log = LoggerFactory.getLogger(DefaultTemplate.class);

    private final Path directory;

    private DefaultTemplate(Path directory) {
        this.directory = directory;
    }

    /** The template under {@code templatesDirectory}, built first if it is not there yet. */
    static DefaultTemplate ensure(Path templatesDirectory) {
        Path target = templatesDirectory.resolve(NAME + "-v" + VERSION);
        if (!Files.isDirectory(target)) {
            build(templatesDirectory, target);
        }
        return new DefaultTemplate(target);
    }

    @Override
    public List<Path> rootLayers() {
        return List.of(directory.resolve("rootfs"));
    }

    @Override
    public Path helpers() {
        return directory.resolve("helpers");
    }

    @Override
    public List<Path> usrLayers() {
        return List.of(directory.resolve("usr-mask"), Path.of("/usr"));
    }

    private static void build(Path templatesDirectory, Path target) {
        Path work = templatesDirectory.resolve(".build-" + UUID.randomUUID());
        long started = System.nanoTime();
        try {
            Files.createDirectories(work);
            buildRoot(work.resolve("rootfs"));
            buildUsrMask(work.resolve("usr-mask"));
            buildHelpers(work.resolve("helpers"));
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            log.info("built template {} in {} ms", target, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot build the default template in " + work + ": " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    private static void buildRoot(Path root) throws IOException {
        for (String dir : List.of("usr", "home", "var/lib", "var/cache", "var/log", "run", "mnt", "srv", "media",
                "opt/perpetua", "proc", "sys", "dev")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.createDirectories(root.resolve("root"));
        Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        sticky(root.resolve("tmp"));
        sticky(root.resolve("var/tmp"));
        for (String link : List.of("bin", "sbin", "lib", "lib64")) {
            if (Files.exists(Path.of("/usr", link))) {
                Files.createSymbolicLink(root.resolve(link), Path.of("usr", link));
            }
        }
        copyPublicEtc(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hostname"), "sandbox\n");
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        Files.writeString(root.resolve("etc/ld.so.preload"), STATX_SHIM + "\n");
    }

    private static void buildHelpers(Path helpers) throws IOException {
        Files.createDirectories(helpers.resolve("bin"));
        Files.createDirectories(helpers.resolve("lib"));
        Path sources = copySources(helpers.resolveSibling("helper-sources"));
        try {
            compile(sources, List.of("statx_fix.c"), inHelpers(helpers, STATX_SHIM), "-shared", "-fPIC");
            compile(sources, List.of("init.c"), inHelpers(helpers, INIT), "-static");
            compile(sources, List.of("run.c", COMMAND), inHelpers(helpers, RUN), "-static");
            compile(sources, List.of("supervise.c", SUPERVISION, COMMAND), inHelpers(helpers, SUPERVISE), "-static");
            compile(sources, List.of("pty.c"), inHelpers(helpers, PTY), "-static");
            compile(sources, List.of("watch.c"), inHelpers(helpers, WATCH), "-static");
            compile(sources, List.of("agent.c", SUPERVISION, COMMAND), inHelpers(helpers, AGENT), "-static", "-pthread");
        } finally {
            FileTrees.delete(sources);
        }
    }

    /** The helpers' C sources, out of the runtime's jar into {@code directory}, where gcc finds them and their header. */
    private static Path copySources(Path directory) throws IOException {
        Files.createDirectories(directory);
        for (String source : SOURCES) {
            try (InputStream in = DefaultTemplate.class.getResourceAsStream(source)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + source + " is missing from the runtime's jar");
                }
                Files.copy(in, directory.resolve(source));
            }
        }
        return directory;
    }

    private static Path inHelpers(Path helpers, String sandboxPath) {
        return helpers.resolve(sandboxPath.substring(HELPERS.length() + 1));
    }

    /** The usr mask holds one overlay whiteout (a 0:0 character device) that hides /usr/local. */
    private static void buildUsrMask(Path mask) throws IOException {
        Files.createDirectories(mask);
        HostCommand.run(List.of("mknod", mask.resolve("local").toString(), "c", "0", "0"), COMPILE_LIMIT)
                .orThrow("creating the whiteout that hides /usr/local");
    }

    /** Copies what of the host's /etc every user may read; what only root may read stays out. */
    private static void copyPublicEtc(Path etc) throws IOException {
        Files.walkFileTree(HOST_ETC, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path relative = HOST_ETC.relativize(dir);
                if (!relative.toString().isEmpty() && (excluded(relative) || !publicDirectory(dir))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(etc.resolve(relative.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path relative = HOST_ETC.relativize(file);
                Path copy = etc.resolve(relative.toString());
                if (excluded(relative)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile() && publicFile(file)) {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean excluded(Path relative) {
        return relative.getNameCount() == 1 && ETC_EXCLUDED.contains(relative.toString())
                || relative.startsWith("ssh") || relative.startsWith("ssl/private");
    }

    private static boolean publicDirectory(Path dir) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        return permissions.contains(PosixFilePermission.OTHERS_READ) && permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    private static boolean publicFile(Path file) throws IOException {
        return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OTHERS_READ);
    }

    private static void compile(Path sources, List<String> files, Path output, String... flags) {
        List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", output.toString()));
        command.addAll(List.of(flags));
        files.forEach(file -> command.add(sources.resolve(file).toString()));
        HostCommand.run(command, COMPILE_LIMIT).orThrow("compiling " + files.getFirst() + " for the default template (is gcc installed?)");
    }

    /** A world-writable directory with the sticky bit, which java.nio cannot set: everyone creates, only owners delete. */
    static void sticky(Path dir) throws IOException {
        Files.createDirectories(dir);
        HostCommand.run(List.of("chmod", "1777", dir.toString()), COMPILE_LIMIT).orThrow("chmod 1777 " + dir);
    }
}
