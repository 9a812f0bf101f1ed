package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Process;
import io.perpetua.client.ProcessInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox ps}: the background processes of a sandbox, running and ended. */
@Command(name = "ps", description = "Lists the background processes of a sandbox.")
final class PsCommand implements Callable<Integer> {

    private static final Map<Integer, String> SIGNALS = Map.of(1, "HUP", 2, "INT", 3, "QUIT", 6, "ABRT", 9, "KILL",
            13, "PIPE", 14, "ALRM", 15, "TERM");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+");

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    private final Terminal terminal;

    PsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        List<ProcessInfo> processes;
        try (Perpetua client = api.connect(terminal.env())) {
            processes = client.sandboxes().handle(id).processes().list().stream().map(Process::info).toList();
        }
        if (output.json()) {
            terminal.printJson(processes.stream().map(JsonViews::process).toList());
            return 0;
        }
        Table table = new Table("ID", "PID", "STATUS", "EXIT", "NAME", "CMD");
        for (ProcessInfo process : processes) {
            table.row(process.id(), Long.toString(process.pid()), process.status(), exit(process), process.name(),
                    commandLine(process.cmd()));
        }
        terminal.out().print(table.render());
        return 0;
    }

    /** The exit code, or the signal that killed it; null while it runs. */
    private static String exit(ProcessInfo process) {
        if (process.exitCode() != null) {
            return process.exitCode().toString();
        }
        if (process.signal() != null) {
            return "SIG" + SIGNALS.getOrDefault(process.signal(), process.signal().toString());
        }
        return null;
    }

    /** The command as a shell would take it back: arguments with spaces or quotes in single quotes. */
    static String commandLine(List<String> cmd) {
        return cmd.stream()
                .map(arg -> PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
