package io.perpetua.metering;

/**
 * The usage of one group: a sandbox, a label's value, or a day.
 *
 * @param key    the sandbox id, the label's value ({@code ""} for sandboxes without it), or the day (yyyy-mm-dd, UTC)
 * @param usage  the units
 * @param cost   the units at the configured prices
 */
public record UsageRow(String key, UsageTotals usage, Cost cost) {
}
