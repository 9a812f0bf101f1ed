package io.perpetua.metering;

import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxState;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns ledger lines into a usage report. Each change of a sandbox opens an interval that the
 * next change of the same sandbox closes (the latest runs until the report's end), so every
 * moment of a sandbox's life is counted once, in the state it was in.
 */
public final class Usage {

    private static final double GB = 1e9;

    private Usage() {
    }

    /**
     * @param changes every change before {@code query.to()} of the sandboxes to report on, by sandbox, then in order
     * @param query   the period and grouping
     * @param labels  the labels of a sandbox (for grouping by label)
     * @param prices  what usage costs
     */
    public static UsageReport report(List<StateChange> changes, UsageQuery query, Function<SandboxId, Map<String, String>> labels,
                                     Prices prices) {
        return report(changes, List.of(), query, labels, prices);
    }

    /**
     * Like {@link #report(List, UsageQuery, Function, Prices)}, with the storage of saved
     * snapshots, each counted with the sandbox it was taken of.
     *
     * @param snapshots the storage of saved snapshots sealed before {@code query.to()}
     */
    public static UsageReport report(List<StateChange> changes, List<StoredSnapshot> snapshots, UsageQuery query,
                                     Function<SandboxId, Map<String, String>> labels, Prices prices) {
        Map<String, UsageTotals> groups = new TreeMap<>();
        for (StoredSnapshot snapshot : snapshots) {
            Instant end = snapshot.until() == null || snapshot.until().isAfter(query.to()) ? query.to() : snapshot.until();
            for (Piece piece : clip(snapshot.from(), end, query)) {
                UsageTotals stored = new UsageTotals(0, 0, 0, 0, 0, 0, 0, 0, snapshot.bytes() / GB * seconds(piece.length()));
                groups.merge(key(query, snapshot.source(), piece, labels), stored, UsageTotals::plus);
            }
        }
        for (int i = 0; i < changes.size(); i++) {
            StateChange start = changes.get(i);
            if (start.state() == SandboxState.DELETED || start.state() == SandboxState.CREATING) {
                continue;
            }
            StateChange next = i + 1 < changes.size() && changes.get(i + 1).sandbox().equals(start.sandbox()) ? changes.get(i + 1) : null;
            Instant end = next == null ? query.to() : next.at();
            double cpuSeconds = next == null ? 0 : cpuUsed(start, next) / 1e9;
            long peak = next == null ? start.peakMemoryBytes() : Math.max(start.peakMemoryBytes(), next.peakMemoryBytes());
            Duration whole = Duration.between(start.at(), end);
            for (Piece piece : clip(start.at(), end, query)) {
                double share = whole.isZero() ? 0 : seconds(piece.length()) / seconds(whole);
                groups.merge(key(query, start.sandbox(), piece, labels), totals(start, seconds(piece.length()), cpuSeconds * share, peak),
                        UsageTotals::plus);
            }
        }
        List<UsageRow> rows = new ArrayList<>();
        UsageTotals all = UsageTotals.ZERO;
        for (Map.Entry<String, UsageTotals> group : groups.entrySet()) {
            rows.add(new UsageRow(group.getKey(), group.getValue(), Cost.of(group.getValue(), prices)));
            all = all.plus(group.getValue());
        }
        return new UsageReport(query.from(), query.to(), query.groupBy(), prices.currency(), rows,
                new UsageRow("total", all, Cost.of(all, prices)));
    }

    private static String key(UsageQuery query, SandboxId sandbox, Piece piece, Function<SandboxId, Map<String, String>> labels) {
        return switch (query.groupBy()) {
            case SANDBOX -> sandbox.value();
            case LABEL -> labels.apply(sandbox).getOrDefault(query.label(), "");
            case DAY -> piece.day().toString();
        };
    }

    private static UsageTotals totals(StateChange change, double seconds, double cpuSeconds, long peak) {
        SandboxState state = change.state();
        boolean running = state == SandboxState.RUNNING;
        return new UsageTotals(
                running ? seconds : 0,
                state == SandboxState.STANDBY ? seconds : 0,
                state == SandboxState.RECLAIMED ? seconds : 0,
                state == SandboxState.HIBERNATED || state == SandboxState.FAILED ? seconds : 0,
                running ? change.cpus() * seconds : 0,
                running ? change.memoryMb() / 1024.0 * seconds : 0,
                cpuSeconds,
                peak,
                change.dormant() ? change.storedBytes() / GB * seconds : 0);
    }

    /** CPU used between two lines of the same sandbox: a new container generation counts from zero. */
    private static long cpuUsed(StateChange start, StateChange end) {
        if (end.generation() != start.generation()) {
            return end.cpuNanos();
        }
        return Math.max(0, end.cpuNanos() - start.cpuNanos());
    }

    /** A part of an interval inside the report's period, on one day (UTC). */
    private record Piece(LocalDate day, Duration length) {
    }

    /** The parts of {@code [start, end)} inside the period, cut at midnights (UTC) when grouping by day. */
    private static List<Piece> clip(Instant start, Instant end, UsageQuery query) {
        Instant from = start.isAfter(query.from()) ? start : query.from();
        Instant to = end.isBefore(query.to()) ? end : query.to();
        List<Piece> pieces = new ArrayList<>();
        while (from.isBefore(to)) {
            LocalDate day = LocalDate.ofInstant(from, ZoneOffset.UTC);
            Instant midnight = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant cut = query.groupBy() == UsageQuery.GroupBy.DAY && midnight.isBefore(to) ? midnight : to;
            pieces.add(new Piece(day, Duration.between(from, cut)));
            from = cut;
        }
        return pieces;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
