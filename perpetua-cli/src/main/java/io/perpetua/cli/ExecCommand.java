package io.perpetua.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code perpetua sandbox exec}: runs a command and behaves like it, passing on its output and exit code. */
@Command(name = "exec", description = "Runs a command in a sandbox, prints its output and exits with its exit code.",
        footer = {"", "Example: perpetua sandbox exec ID --cwd /tmp -- sh -c 'ls -la'"})
final class ExecCommand implements Callable<Integer> {

    /** The body of {@code POST /v1/sandboxes/{id}/exec}. */
    record Body(List<String> cmd, String cwd, Map<String, String> env, Long timeoutSeconds, String stdin) {
    }

    /** The daemon's answer to an exec. */
    record Result(int exitCode, String stdout, String stderr, long durationMs, boolean timedOut, boolean truncated) {
    }

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD",
            description = "The command and its arguments; put -- before it.")
    private List<String> cmd;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the command.")
    private String cwd;

    @Option(names = "--env", paramLabel = "K=V", description = "Environment variable of the command (repeatable).")
    private Map<String, String> env;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the command after this long.")
    private Long timeoutSeconds;

    @Option(names = "--stdin", description = "Send what this command reads on its standard input to the command.")
    private boolean stdin;

    private final Terminal terminal;

    ExecCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Body body = new Body(cmd, cwd, env, timeoutSeconds, stdin ? readStdin() : null);
        JsonNode answer;
        try (ApiClient client = api.connect(terminal.env())) {
            answer = client.post(ApiClient.sandboxPath(id, "/exec"), body);
        }
        Result result = ApiClient.JSON.treeToValue(answer, Result.class);
        if (api.json()) {
            terminal.printJson(answer);
        } else {
            passOn(result);
        }
        return result.exitCode();
    }

    private void passOn(Result result) {
        if (result.stdout() != null) {
            terminal.out().print(result.stdout());
            terminal.out().flush();
        }
        if (result.stderr() != null) {
            terminal.err().print(result.stderr());
        }
        if (result.timedOut()) {
            long seconds = timeoutSeconds != null ? timeoutSeconds : Math.round(result.durationMs() / 1000.0);
            terminal.fail("command timed out after " + seconds + " s");
        }
        if (result.truncated()) {
            terminal.fail("the daemon truncated the command's output");
        }
        terminal.err().flush();
    }

    private String readStdin() {
        try {
            return new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read standard input to send to the command: " + e.getMessage(), e);
        }
    }
}
