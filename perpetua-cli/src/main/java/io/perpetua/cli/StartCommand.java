package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.ProcessCommand;
import io.perpetua.client.ProcessInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox start}: starts a background process and prints its id, for {@code logs} and {@code kill}. */
@Command(name = "start", description = "Starts a background process in a sandbox and prints its id.",
        footer = {"", "Example: perpetua sandbox start ID --keep-alive --name web -- python3 -m http.server"})
final class StartCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD",
            description = "The command and its arguments; put -- before it.")
    private List<String> cmd;

    @Option(names = "--keep-alive", description = "Keep the sandbox awake until the process exits.")
    private boolean keepAlive;

    @Option(names = "--name", paramLabel = "NAME", description = "A label for the process.")
    private String name;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the process.")
    private String cwd;

    @Option(names = "--env", paramLabel = "K=V", description = "Environment variable of the process (repeatable).")
    private Map<String, String> env;

    private final Terminal terminal;

    StartCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        ProcessCommand command = ProcessCommand.builder(cmd)
                .keepAlive(keepAlive)
                .name(name)
                .cwd(cwd)
                .env(env == null ? Map.of() : env)
                .build();
        ProcessInfo process;
        try (Perpetua client = api.connect(terminal.env())) {
            process = client.sandboxes().handle(id).processes().start(command).info();
        }
        if (output.json()) {
            terminal.printJson(JsonViews.process(process));
        } else {
            terminal.out().println(process.id());
        }
        return 0;
    }
}
