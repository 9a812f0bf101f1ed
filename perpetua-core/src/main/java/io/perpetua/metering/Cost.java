package io.perpetua.metering;

/**
 * Usage in money.
 *
 * @param compute vCPU-seconds at their price
 * @param memory  memory GB-seconds at their price
 * @param storage dormant storage at its price
 * @param total   the sum
 */
public record Cost(double compute, double memory, double storage, double total) {

    static Cost of(UsageTotals totals, Prices prices) {
        double compute = totals.vcpuSeconds() * prices.perVcpuSecond();
        double memory = totals.memoryGbSeconds() * prices.perGbSecond();
        double storage = totals.storageGbSeconds() / Prices.SECONDS_PER_MONTH * prices.perGbMonth();
        return new Cost(compute, memory, storage, compute + memory + storage);
    }
}
