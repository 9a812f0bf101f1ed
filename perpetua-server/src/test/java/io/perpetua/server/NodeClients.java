package io.perpetua.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real JavaScript clients of other ecosystems (the {@code e2b} SDK, …), at the versions
 * pinned in {@code src/test/<name>/package-lock.json}, installed with {@code npm ci} into
 * {@code target/<name>} and run with node against a test daemon.
 */
final class NodeClients {

    /** How a script ended, and what it printed. */
    record Run(int exitCode, String output) {
    }

    private final Path directory;

    private NodeClients(Path directory) {
        this.directory = directory;
    }

    /** Copies {@code src/test/<name>} (its scripts and its lock file) to {@code target/<name>} and installs what it locks. */
    static NodeClients install(String name) {
        Path source = Path.of("src", "test", name);
        Path target = Path.of("target", name).toAbsolutePath();
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
        NodeClients clients = new NodeClients(target);
        Run installed = clients.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), Map.of(), 600);
        if (installed.exitCode() != 0) {
            throw new IllegalStateException("npm ci in " + target + " failed (" + installed.exitCode() + "):\n" + installed.output());
        }
        return clients;
    }

    /** Runs {@code script} with node and {@code environment} added to this one's, at most {@code limitSeconds}. */
    Run node(String script, Map<String, String> environment, int limitSeconds) {
        return run(List.of("node", script), environment, limitSeconds);
    }

    private Run run(List<String> command, Map<String, String> environment, int limitSeconds) {
        try {
            Path log = Files.createTempFile(directory, "run-", ".log");
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Run(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n(killed after " + limitSeconds + " s)");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
