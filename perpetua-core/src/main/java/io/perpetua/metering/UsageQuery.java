package io.perpetua.metering;

import io.perpetua.error.InvalidInputException;
import java.time.Instant;
import java.util.Objects;

/**
 * A request for usage over {@code [from, to)}.
 *
 * @param from     start of the period
 * @param to       end of the period
 * @param groupBy  how to group the rows
 * @param label    the label whose values group the rows when {@code groupBy} is {@link GroupBy#LABEL}
 */
public record UsageQuery(Instant from, Instant to, GroupBy groupBy, String label) {

    /** How a report's rows are grouped. */
    public enum GroupBy {
        /** One row per sandbox. */
        SANDBOX,
        /** One row per value of a label. */
        LABEL,
        /** One row per day (UTC). */
        DAY
    }

    /** Checks the period and that a label grouping names its label. */
    public UsageQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(groupBy, "groupBy");
        InvalidInputException.check(from.isBefore(to), "from", "from (" + from + ") must be before to (" + to + ")");
        InvalidInputException.check(groupBy != GroupBy.LABEL || label != null && !label.isBlank(), "label",
                "groupBy=label needs the label to group by, as label=<key>");
    }
}
