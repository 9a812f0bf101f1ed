package io.perpetua.client;

import java.util.List;

/**
 * A fleet trace priced under the three policies ({@code POST /v1/cost-model}).
 *
 * @param sessions    sessions (sandboxes) in the trace
 * @param bursts      bursts of work in the trace
 * @param activeRatio the share of the sessions' time with work going on
 * @param currency    the currency of the costs
 * @param policies    ephemeral, persistent and perpetual, in that order
 */
public record CostModelReport(int sessions, long bursts, double activeRatio, String currency, List<PolicyEstimate> policies) {

    static CostModelReport from(JsonObject json) {
        return new CostModelReport(json.int32("sessions"), json.integer("bursts"), json.number("activeRatio"), json.string("currency"),
                json.objects("policies").stream().map(PolicyEstimate::from).toList());
    }
}
