package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.metering.Cost;
import io.perpetua.metering.Prices;
import io.perpetua.metering.StoredVolume;
import io.perpetua.metering.Usage;
import io.perpetua.metering.UsageQuery;
import io.perpetua.metering.UsageReport;
import io.perpetua.metering.UsageRow;
import io.perpetua.metering.UsageTotals;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.metering.StateChange;
import io.perpetua.sandbox.Sandbox;
import io.perpetua.sandbox.SandboxId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /v1/usage}: the caller's project's usage over a period, from the ledger, as JSON or
 * CSV, grouped by sandbox, label or day, with costs at the configured prices; and
 * {@code GET /v1/sandboxes/{id}/timeline}: one sandbox's states over its life, from the same ledger.
 */
final class UsageRoutes {

    private static final String CSV_HEADER = "key,running_seconds,standby_seconds,reclaimed_seconds,hibernated_seconds,vcpu_seconds,"
            + "memory_gb_seconds,cpu_seconds_used,peak_memory_bytes,storage_gb_seconds,cost_compute,cost_memory,"
            + "cost_storage,cost_total,currency\n";

    private final SandboxService sandboxes;
    private final UsageSource source;
    private final Clock clock;
    private final JsonCodec json;

    UsageRoutes(SandboxService sandboxes, UsageSource source, Clock clock, JsonCodec json) {
        this.sandboxes = sandboxes;
        this.source = source;
        this.clock = clock;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.get("/v1/usage", this::usage);
        routes.get("/v1/sandboxes/{id}/timeline", this::timeline);
    }

    /**
     * The sandbox's intervals, oldest first; the last one, still going, has no end. Wakes nothing.
     * A deleted sandbox of the caller's project keeps its timeline, with why its lifecycle deleted
     * it, if it did.
     */
    private void timeline(Context ctx) {
        SandboxId id = SandboxIdParameter.of(ctx);
        Sandbox record = sandboxes.history(id).filter(sandbox -> sandbox.project().equals(AccessControl.project(ctx)))
                .orElseThrow(() -> NotFoundException.sandbox(id.value()));
        List<StateChange> lines = source.ledger().changesOf(id);
        Instant now = clock.instant();
        List<Map<String, Object>> intervals = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            StateChange line = lines.get(i);
            Instant end = i + 1 < lines.size() ? lines.get(i + 1).at() : null;
            Map<String, Object> interval = new LinkedHashMap<>();
            interval.put("state", line.state().name().toLowerCase(Locale.ROOT));
            interval.put("from", line.at().toString());
            interval.put("to", end == null ? null : end.toString());
            interval.put("seconds", Duration.between(line.at(), end == null ? now : end).toMillis() / 1000.0);
            interval.put("cpus", line.cpus());
            interval.put("memoryMb", line.memoryMb());
            interval.put("storedBytes", line.storedBytes());
            intervals.add(interval);
        }
        Map<String, Object> timeline = new LinkedHashMap<>();
        timeline.put("sandbox", id.value());
        timeline.put("state", record.state().wireName());
        timeline.put("reason", record.failureReason());
        timeline.put("intervals", intervals);
        ctx.result(json.write(timeline));
    }

    private void usage(Context ctx) {
        UsageQuery query = query(ctx);
        ProjectId project = AccessControl.project(ctx);
        UsageReport report = Usage.report(source.ledger().changesBefore(query.to(), project),
                source.ledger().snapshotsBefore(query.to(), project), query, source.labels(), source.prices());
        if (csv(ctx)) {
            ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition", "attachment; filename=\"usage.csv\"")
                    .result(csv(report));
            return;
        }
        Map<String, Object> view = view(report);
        view.put("volumes", volumes(source.ledger().volumesBefore(query.to(), project), query));
        ctx.result(json.write(view));
    }

    /**
     * What each volume and drive held in the period, by its size, apart from the sandboxes'
     * rows: it is billed whether or not a sandbox mounts it.
     */
    private List<Map<String, Object>> volumes(List<StoredVolume> stored, UsageQuery query) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StoredVolume volume : stored) {
            double gbSeconds = volume.gbSeconds(query.from(), query.to());
            if (gbSeconds == 0) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", volume.id());
            row.put("name", volume.name());
            row.put("kind", volume.kind());
            row.put("sizeMb", volume.sizeMb());
            row.put("deletedAt", volume.until() == null ? null : volume.until().toString());
            row.put("storageGbSeconds", gbSeconds);
            row.put("storageGbMonths", gbSeconds / Prices.SECONDS_PER_MONTH);
            row.put("cost", gbSeconds / Prices.SECONDS_PER_MONTH * source.prices().perGbMonth());
            rows.add(row);
        }
        return rows;
    }

    private UsageQuery query(Context ctx) {
        Instant now = clock.instant();
        Instant to = instant(ctx.queryParam("to"), "to", now);
        if (to.isAfter(now)) {
            to = now;
        }
        Instant from = instant(ctx.queryParam("from"), "from",
                LocalDate.ofInstant(to, ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        if (!from.isBefore(to)) {
            throw new InvalidInputException("from", "from (" + from + ") must be before to (" + to + ", which is at most now)");
        }
        return new UsageQuery(from, to, groupBy(ctx.queryParam("groupBy")), ctx.queryParam("label"));
    }

    /** An instant ({@code 2026-11-28T10:00:00Z}) or a day ({@code 2026-11-28}, from its start, UTC). */
    private static Instant instant(String value, String field, Instant fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, field + " must be an instant such as 2026-11-28T10:00:00Z or a day such as "
                    + "2026-11-28, but was '" + abbreviate(value) + "'");
        }
    }

    private static UsageQuery.GroupBy groupBy(String value) {
        if (value == null || value.isBlank()) {
            return UsageQuery.GroupBy.SANDBOX;
        }
        return switch (value) {
            case "sandbox" -> UsageQuery.GroupBy.SANDBOX;
            case "label" -> UsageQuery.GroupBy.LABEL;
            case "day" -> UsageQuery.GroupBy.DAY;
            default -> throw new InvalidInputException("groupBy", "groupBy must be sandbox, label or day but was '" + abbreviate(value) + "'");
        };
    }

    private static boolean csv(Context ctx) {
        String format = ctx.queryParam("format");
        if (format != null && !format.equals("csv") && !format.equals("json")) {
            throw new InvalidInputException("format", "format must be json or csv but was '" + abbreviate(format) + "'");
        }
        String accept = ctx.header("Accept");
        return "csv".equals(format) || format == null && accept != null && accept.contains("text/csv");
    }

    private static String abbreviate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }

    private Map<String, Object> view(UsageReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("from", report.from().toString());
        view.put("to", report.to().toString());
        view.put("groupBy", report.groupBy().name().toLowerCase(Locale.ROOT));
        view.put("currency", report.currency());
        view.put("prices", Map.of("perVcpuSecond", source.prices().perVcpuSecond(), "perGbSecond", source.prices().perGbSecond(),
                "perGbMonth", source.prices().perGbMonth()));
        view.put("rows", report.rows().stream().map(UsageRoutes::view).toList());
        view.put("total", view(report.total()));
        return view;
    }

    private static Map<String, Object> view(UsageRow row) {
        UsageTotals usage = row.usage();
        Map<String, Object> units = new LinkedHashMap<>();
        units.put("runningSeconds", usage.runningSeconds());
        units.put("standbySeconds", usage.standbySeconds());
        units.put("reclaimedSeconds", usage.reclaimedSeconds());
        units.put("hibernatedSeconds", usage.hibernatedSeconds());
        units.put("vcpuSeconds", usage.vcpuSeconds());
        units.put("memoryGbSeconds", usage.memoryGbSeconds());
        units.put("cpuSecondsUsed", usage.cpuSeconds());
        units.put("peakMemoryBytes", usage.peakMemoryBytes());
        units.put("storageGbSeconds", usage.storageGbSeconds());
        Cost cost = row.cost();
        return Map.of("key", row.key(), "usage", units,
                "cost", Map.of("compute", cost.compute(), "memory", cost.memory(), "storage", cost.storage(), "total", cost.total()));
    }

    private static String csv(UsageReport report) {
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        report.rows().forEach(row -> csvRow(csv, row, report.currency()));
        csvRow(csv, report.total(), report.currency());
        return csv.toString();
    }

    private static void csvRow(StringBuilder csv, UsageRow row, String currency) {
        UsageTotals u = row.usage();
        Cost c = row.cost();
        csv.append(csvField(row.key()));
        for (Object value : new Object[] {u.runningSeconds(), u.standbySeconds(), u.reclaimedSeconds(), u.hibernatedSeconds(), u.vcpuSeconds(),
                u.memoryGbSeconds(), u.cpuSeconds(), u.peakMemoryBytes(), u.storageGbSeconds(), c.compute(), c.memory(),
                c.storage(), c.total()}) {
            csv.append(',').append(value);
        }
        csv.append(',').append(csvField(currency)).append('\n');
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break (label values may). */
    private static String csvField(String value) {
        if (value.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
