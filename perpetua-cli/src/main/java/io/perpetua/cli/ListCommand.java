package io.perpetua.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/** {@code perpetua sandbox list}: one line per sandbox, in columns. */
@Command(name = "list", description = "Lists the sandboxes.")
final class ListCommand implements Callable<Integer> {

    private static final List<String> HEADER = List.of("ID", "STATE", "TEMPLATE", "CREATED", "LAST ACTIVITY", "LABELS");

    @Mixin
    private ApiOptions api;

    private final Terminal terminal;

    ListCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        JsonNode sandboxes;
        try (ApiClient client = api.connect(terminal.env())) {
            sandboxes = client.get("/v1/sandboxes").path("sandboxes");
        }
        if (api.json()) {
            terminal.printJson(sandboxes);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        sandboxes.values().forEach(sandbox -> rows.add(row(SandboxSummary.of(sandbox))));
        terminal.out().print(table(rows));
        return 0;
    }

    private static List<String> row(SandboxSummary sandbox) {
        String labels = sandbox.labels().entrySet().stream()
                .map(label -> label.getKey() + "=" + label.getValue())
                .collect(Collectors.joining(","));
        return List.of(sandbox.id(), sandbox.state(), orDash(sandbox.template()), time(sandbox.createdAt()),
                time(sandbox.lastActivityAt()), labels);
    }

    /** Left-aligned columns two spaces apart; the last column is not padded. */
    static String table(List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                table.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length() + 2));
            }
            table.append(row.get(columns - 1)).append(System.lineSeparator());
        }
        return table.toString();
    }

    /** Whole seconds are enough to read a table; a timestamp that does not parse is shown as sent. */
    private static String time(String timestamp) {
        if (timestamp == null) {
            return "-";
        }
        try {
            return Instant.parse(timestamp).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return timestamp;
        }
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
