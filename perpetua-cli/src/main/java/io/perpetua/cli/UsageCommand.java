package io.perpetua.cli;

import io.perpetua.client.Perpetua;
import io.perpetua.client.UsageReport;
import io.perpetua.client.UsageRow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code perpetua usage}: what the caller's project used over a period, and what it costs. */
@Command(name = "usage", description = "Shows the project's usage over a period and what it costs (--csv for a spreadsheet).")
final class UsageCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Option(names = "--from", paramLabel = "WHEN", description = "Start: 2026-11-28 or 2026-11-28T10:00:00Z (default: the month's first day).")
    private String from;

    @Option(names = "--to", paramLabel = "WHEN", description = "End, at most now (the default).")
    private String to;

    @Option(names = "--group-by", paramLabel = "GROUP", description = "sandbox (default), label or day.")
    private String groupBy;

    @Option(names = "--label", paramLabel = "KEY", description = "The label to group by, with --group-by label.")
    private String label;

    @Option(names = "--csv", description = "Print CSV: a line per group, then the total.")
    private boolean csv;

    @Spec
    private CommandSpec command;

    private final Terminal terminal;

    UsageCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Instant start = instant(from, "--from");
        Instant end = instant(to, "--to");
        try (Perpetua client = api.connect(terminal.env())) {
            if (csv) {
                terminal.out().print(client.usageCsv(start, end, groupBy, label));
                return 0;
            }
            UsageReport report = client.usage(start, end, groupBy, label);
            if (output.json()) {
                terminal.printJson(json(report));
                return 0;
            }
            print(report);
        }
        return 0;
    }

    private void print(UsageReport report) {
        terminal.out().println("usage from " + report.from() + " to " + report.to() + ", by " + report.groupBy()
                + ", in " + report.currency());
        Table table = new Table(report.groupBy().toUpperCase(Locale.ROOT), "RUNNING", "STANDBY", "HIBERNATED", "VCPU-S", "GB-S",
                "CPU-S USED", "STORED GB-S", "COST");
        for (UsageRow row : report.rows()) {
            row(table, row);
        }
        row(table, report.total());
        terminal.out().print(table.render());
    }

    private static void row(Table table, UsageRow row) {
        table.row(row.key().isEmpty() ? "(none)" : row.key(), duration(row.runningSeconds()), duration(row.standbySeconds()),
                duration(row.hibernatedSeconds()), number(row.vcpuSeconds()), number(row.memoryGbSeconds()),
                number(row.cpuSecondsUsed()), number(row.storageGbSeconds()), String.format(Locale.ROOT, "%.6f", row.totalCost()));
    }

    private static String duration(double seconds) {
        long whole = Math.round(seconds);
        return whole >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", whole / 3600, whole / 60 % 60)
                : whole >= 60 ? String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60) : whole + "s";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private Instant instant(String value, String option) {
        if (value == null) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ParameterException(command.commandLine(), option + " must be a day such as 2026-11-28 or an instant such as "
                    + "2026-11-28T10:00:00Z but was '" + value + "'");
        }
    }

    private static Map<String, Object> json(UsageReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("from", report.from().toString());
        json.put("to", report.to().toString());
        json.put("groupBy", report.groupBy());
        json.put("currency", report.currency());
        json.put("rows", report.rows().stream().map(UsageCommand::json).toList());
        json.put("total", json(report.total()));
        return json;
    }

    private static Map<String, Object> json(UsageRow row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", row.key());
        json.put("runningSeconds", row.runningSeconds());
        json.put("standbySeconds", row.standbySeconds());
        json.put("hibernatedSeconds", row.hibernatedSeconds());
        json.put("vcpuSeconds", row.vcpuSeconds());
        json.put("memoryGbSeconds", row.memoryGbSeconds());
        json.put("cpuSecondsUsed", row.cpuSecondsUsed());
        json.put("peakMemoryBytes", row.peakMemoryBytes());
        json.put("storageGbSeconds", row.storageGbSeconds());
        json.put("cost", Map.of("compute", row.computeCost(), "memory", row.memoryCost(), "storage", row.storageCost(),
                "total", row.totalCost()));
        return json;
    }
}
