package io.perpetua.cli;

import io.perpetua.client.CostModelReport;
import io.perpetua.client.Perpetua;
import io.perpetua.client.PolicyEstimate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code perpetua cost-model}: what a fleet costs as ephemeral, persistent and perpetual
 * sandboxes, from a trace file or a synthetic fleet; {@code cost-model trace} writes a synthetic trace.
 */
@Command(name = "cost-model", description = "Prices a fleet trace (--trace FILE) or a synthetic fleet (--active-ratio) "
        + "under the ephemeral, persistent and perpetual policies.")
final class CostModelCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Option(names = "--trace", paramLabel = "FILE", description = "CSV lines of session,start_seconds,duration_seconds.")
    private Path trace;

    @Mixin
    private Fleet fleet;

    @Spec
    private CommandSpec command;

    private final Terminal terminal;

    CostModelCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new CostModelCommand(terminal)).addSubcommand(new GenerateTrace(terminal));
    }

    /** The synthetic fleet's shape. */
    static final class Fleet {

        @Option(names = "--active-ratio", paramLabel = "RATIO", description = "Share of time with work going on, such as 0.05.")
        Double activeRatio;

        @Option(names = "--sessions", paramLabel = "N", defaultValue = "20", description = "Sessions (sandboxes); default 20.")
        int sessions;

        @Option(names = "--hours", paramLabel = "H", defaultValue = "8", description = "Length of each session; default 8.")
        double hours;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "The generator's seed; default 1.")
        long seed;
    }

    @Override
    public Integer call() {
        if ((trace == null) == (fleet.activeRatio == null)) {
            throw new ParameterException(command.commandLine(), "give --trace FILE or --active-ratio RATIO (one of them)");
        }
        CostModelReport report;
        try (Perpetua client = api.connect(terminal.env())) {
            report = trace != null ? client.costModel(read(trace)) : client.costModel(fleet.activeRatio, fleet.sessions, fleet.hours, fleet.seed);
        }
        if (output.json()) {
            terminal.printJson(json(report));
            return 0;
        }
        terminal.out().printf(Locale.ROOT, "%d sessions, %d bursts, active %.1f%% of the time; costs in %s%n", report.sessions(),
                report.bursts(), report.activeRatio() * 100, report.currency());
        Table table = new Table("POLICY", "RUNNING", "DORMANT", "VCPU-S", "STORAGE GB-S", "COMPUTE", "STORAGE", "TOTAL", "REBUILDS",
                "REBUILDING", "RESUMES", "WAITING ON RESUMES");
        for (PolicyEstimate policy : report.policies()) {
            table.row(policy.policy(), hours(policy.runningSeconds()), hours(policy.dormantSeconds()), number(policy.vcpuSeconds()),
                    number(policy.storageGbSeconds()), money(policy.computeCost() + policy.memoryCost()), money(policy.storageCost()),
                    money(policy.totalCost()), Long.toString(policy.rebuilds()), hours(policy.rebuildSeconds()),
                    Long.toString(policy.resumes()), hours(policy.resumeSeconds()));
        }
        terminal.out().print(table.render());
        return 0;
    }

    private String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "cannot read --trace " + file + ": " + e.getMessage());
        }
    }

    private static String hours(double seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%.1fh", seconds / 3600)
                : seconds >= 60 ? String.format(Locale.ROOT, "%.1fm", seconds / 60) : String.format(Locale.ROOT, "%.1fs", seconds);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String money(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static Map<String, Object> json(CostModelReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sessions", report.sessions());
        json.put("bursts", report.bursts());
        json.put("activeRatio", report.activeRatio());
        json.put("currency", report.currency());
        json.put("policies", report.policies().stream().map(policy -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("policy", policy.policy());
            view.put("runningSeconds", policy.runningSeconds());
            view.put("dormantSeconds", policy.dormantSeconds());
            view.put("vcpuSeconds", policy.vcpuSeconds());
            view.put("storageGbSeconds", policy.storageGbSeconds());
            view.put("totalCost", policy.totalCost());
            view.put("rebuilds", policy.rebuilds());
            view.put("rebuildSeconds", policy.rebuildSeconds());
            view.put("resumes", policy.resumes());
            view.put("resumeSeconds", policy.resumeSeconds());
            return view;
        }).toList());
        return json;
    }

    @Command(name = "trace", description = "Writes a synthetic fleet trace as CSV (session,start_seconds,duration_seconds).")
    static final class GenerateTrace implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private Fleet fleet;

        @Spec
        private CommandSpec command;

        private final Terminal terminal;

        GenerateTrace(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            if (fleet.activeRatio == null) {
                throw new ParameterException(command.commandLine(), "--active-ratio is required, such as 0.05");
            }
            try (Perpetua client = api.connect(terminal.env())) {
                terminal.out().print(client.generateTrace(fleet.activeRatio, fleet.sessions, fleet.hours, fleet.seed));
            }
            return 0;
        }
    }
}
