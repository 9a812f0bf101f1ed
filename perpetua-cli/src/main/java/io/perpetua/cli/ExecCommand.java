package io.perpetua.cli;

import io.perpetua.client.ExecExit;
import io.perpetua.client.ExecResult;
import io.perpetua.client.OutputListener;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua sandbox exec}: runs a command and behaves like it, passing on its output as it
 * is written and exiting with its exit code. {@code --output json} waits for the whole result instead.
 */
@Command(name = "exec", description = "Runs a command in a sandbox, streams its output and exits with its exit code.",
        footer = {"", "Example: perpetua sandbox exec ID --cwd /tmp -- sh -c 'ls -la'"})
final class ExecCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

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
        io.perpetua.client.ExecCommand command = io.perpetua.client.ExecCommand.builder(cmd)
                .cwd(cwd)
                .env(env == null ? Map.of() : env)
                .timeout(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds))
                .stdin(stdin ? readStdin() : null)
                .build();
        try (Perpetua client = api.connect(terminal.env())) {
            Sandbox sandbox = client.sandboxes().handle(id);
            return output.json() ? whole(sandbox, command) : streamed(sandbox, command);
        }
    }

    private int whole(Sandbox sandbox, io.perpetua.client.ExecCommand command) {
        ExecResult result = sandbox.exec(command);
        terminal.printJson(JsonViews.exec(result));
        return result.exitCode();
    }

    private int streamed(Sandbox sandbox, io.perpetua.client.ExecCommand command) {
        ExecExit exit = sandbox.execStreaming(command, OutputListener.of(
                text -> {
                    terminal.out().print(text);
                    terminal.out().flush();
                },
                text -> {
                    terminal.err().print(text);
                    terminal.err().flush();
                }));
        if (exit.timedOut()) {
            long seconds = timeoutSeconds != null ? timeoutSeconds : Math.round(exit.duration().toMillis() / 1000.0);
            terminal.fail("command timed out after " + seconds + " s");
        }
        return exit.exitCode();
    }

    private String readStdin() {
        try {
            return new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read standard input to send to the command: " + e.getMessage(), e);
        }
    }
}
