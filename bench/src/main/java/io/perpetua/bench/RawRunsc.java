package io.perpetua.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** runsc's own CLI on a sandbox the daemon runs: the baseline an API exec is compared with. */
final class RawRunsc {

    private final List<String> prefix;
    private final String containerId;

    RawRunsc(Path data, String sandboxId) {
        this.prefix = List.of("runsc", "--root=" + data.resolve("runsc"), "--platform=ptrace", "--network=none");
        this.containerId = run(concat(prefix, "list", "--quiet")).lines()
                .filter(line -> line.startsWith(sandboxId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("runsc lists no container of " + sandboxId));
    }

    void execTrue() {
        run(concat(prefix, "exec", containerId, "true"));
    }

    private static List<String> concat(List<String> head, String... tail) {
        return Stream.concat(head.stream(), Stream.of(tail)).toList();
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
