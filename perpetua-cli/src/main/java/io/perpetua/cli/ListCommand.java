package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.Sandbox;
import io.perpetua.client.SandboxInfo;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code perpetua sandbox list}: one line per sandbox, in columns. */
@Command(name = "list", description = "Lists the sandboxes.")
final class ListCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    private final Terminal terminal;

    ListCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        List<SandboxInfo> sandboxes;
        try (Perpetua client = api.connect(terminal.env())) {
            sandboxes = client.sandboxes().list().stream().map(Sandbox::info).toList();
        }
        if (output.json()) {
            terminal.printJson(JsonViews.sandboxes(sandboxes));
            return 0;
        }
        Table table = new Table("ID", "STATE", "TEMPLATE", "CREATED", "LAST ACTIVITY", "EXPIRES", "LABELS");
        for (SandboxInfo sandbox : sandboxes) {
            String labels = sandbox.labels().entrySet().stream()
                    .map(label -> label.getKey() + "=" + label.getValue())
                    .collect(Collectors.joining(","));
            table.row(sandbox.id(), sandbox.state(), sandbox.template(), Table.time(sandbox.createdAt()),
                    Table.time(sandbox.lastActivityAt()), Table.time(sandbox.expiresAt()), labels);
        }
        terminal.out().print(table.render());
        return 0;
    }
}
