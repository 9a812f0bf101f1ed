package io.perpetua.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code commands.run("true")} through the real {@code e2b} SDK (bench/e2b, pinned) against
 * Perpetua's own {@code POST /exec} of the same command line, in the same run. The SDK runs its
 * commands as {@code /bin/bash -l -c …}, so the fair baseline is {@code /exec} of exactly that;
 * {@code /exec} of {@code true} alone is printed beside it.
 */
final class E2bBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI daemon;
    private final String key;
    private final Path work;

    E2bBenchmark(URI daemon, String key, Path work) {
        this.daemon = daemon;
        this.key = key;
        this.work = work;
    }

    void run(int rounds, Report report) {
        Path client = install();
        JsonNode durations = measure(client, rounds);
        Samples sdk = samples("e2b SDK commands.run(\"true\") (bash -l -c true)", durations.path("sdk"));
        Samples same = samples("POST /exec [/bin/bash, -l, -c, true]", durations.path("execSameCommand"));
        Samples bare = samples("POST /exec [true]", durations.path("execTrue"));
        report.add(sdk);
        report.add(same);
        report.add(bare);
        report.ratio("E2B commands.run / our exec of the same command, p50", sdk.median() / same.median(), "≤ 1.2");
        report.ratio("E2B commands.run(\"true\") / our exec of `true`, p50", sdk.median() / bare.median(), "");
    }

    private Path install() {
        Path client = work.resolve("e2b-client");
        try {
            Files.createDirectories(client);
            for (String file : List.of("package.json", "package-lock.json", "exec.mjs")) {
                Files.copy(sources().resolve(file), client.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the E2B client to " + client, e);
        }
        run(client, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), Map.of());
        return client;
    }

    private JsonNode measure(Path client, int rounds) {
        String url = daemon.toString().replaceAll("/$", "");
        String output = run(client, List.of("node", "exec.mjs"),
                Map.of("E2B_API_URL", url, "E2B_SANDBOX_URL", url, "E2B_API_KEY", key, "ROUNDS", Integer.toString(rounds)));
        return JSON.readTree(output.lines().reduce((first, second) -> second).orElse("{}"));
    }

    private static Samples samples(String name, JsonNode millis) {
        Samples samples = new Samples(name);
        millis.forEach(value -> samples.add(value.asDouble()));
        return samples;
    }

    /** bench/e2b: next to the module's classes (bench/target/classes). */
    private static Path sources() {
        try {
            Path classes = Path.of(E2bBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().getParent().resolve("e2b");
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the benchmark's classes", e);
        }
    }

    private static String run(Path directory, List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
