package io.perpetua.client;

import java.time.Instant;
import java.util.List;

/**
 * The usage of the caller's project over a period ({@code GET /v1/usage}).
 *
 * @param from     start of the period
 * @param to       end of the period
 * @param groupBy  {@code sandbox}, {@code label} or {@code day}
 * @param currency the currency of the costs
 * @param rows     one per group
 * @param total    all rows together
 */
public record UsageReport(Instant from, Instant to, String groupBy, String currency, List<UsageRow> rows, UsageRow total) {

    static UsageReport from(JsonObject json) {
        return new UsageReport(json.instant("from"), json.instant("to"), json.string("groupBy"), json.string("currency"),
                json.objects("rows").stream().map(UsageRow::from).toList(), UsageRow.from(json.object("total")));
    }
}
