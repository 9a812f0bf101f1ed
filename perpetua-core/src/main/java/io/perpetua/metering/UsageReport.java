package io.perpetua.metering;

import java.time.Instant;
import java.util.List;

/**
 * Usage of a project's sandboxes over {@code [from, to)}.
 *
 * @param from     start of the period
 * @param to       end of the period (at most the time the report was made)
 * @param groupBy  how rows are grouped
 * @param currency the currency of the costs
 * @param rows     one per group, ordered by key
 * @param total    all rows together
 */
public record UsageReport(Instant from, Instant to, UsageQuery.GroupBy groupBy, String currency, List<UsageRow> rows, UsageRow total) {
}
