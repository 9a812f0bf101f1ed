package io.perpetua.server.api;

import io.perpetua.metering.Ledger;
import io.perpetua.metering.Prices;
import io.perpetua.sandbox.SandboxId;
import java.util.Map;
import java.util.function.Function;

/**
 * What usage reports are made of.
 *
 * @param ledger the usage ledger
 * @param labels the labels of any sandbox, deleted ones included (for grouping by label)
 * @param prices what usage costs
 */
public record UsageSource(Ledger ledger, Function<SandboxId, Map<String, String>> labels, Prices prices) {
}
