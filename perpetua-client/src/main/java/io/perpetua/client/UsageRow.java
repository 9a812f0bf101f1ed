package io.perpetua.client;

/**
 * The usage of one group of a {@link UsageReport}, and what it costs.
 *
 * @param key               the sandbox id, the label's value, the day (yyyy-mm-dd, UTC), or {@code total}
 * @param runningSeconds    time running (billed as compute)
 * @param standbySeconds    time frozen in standby (billed as storage only)
 * @param hibernatedSeconds time checkpointed to disk (billed as storage only)
 * @param vcpuSeconds       vCPUs allocated × seconds running
 * @param memoryGbSeconds   memory allocated (GiB) × seconds running
 * @param cpuSecondsUsed    CPU time actually used, from the host's accounting
 * @param peakMemoryBytes   the most memory a sandbox held at once
 * @param storageGbSeconds  GB stored × seconds dormant
 * @param computeCost       vCPU-seconds at their price
 * @param memoryCost        memory GB-seconds at their price
 * @param storageCost       stored GB-seconds at their price
 * @param totalCost         the sum
 */
public record UsageRow(String key, double runningSeconds, double standbySeconds, double hibernatedSeconds, double vcpuSeconds,
                       double memoryGbSeconds, double cpuSecondsUsed, long peakMemoryBytes, double storageGbSeconds,
                       double computeCost, double memoryCost, double storageCost, double totalCost) {

    static UsageRow from(JsonObject json) {
        JsonObject usage = json.object("usage");
        JsonObject cost = json.object("cost");
        return new UsageRow(json.string("key"), usage.number("runningSeconds"), usage.number("standbySeconds"),
                usage.number("hibernatedSeconds"), usage.number("vcpuSeconds"), usage.number("memoryGbSeconds"),
                usage.number("cpuSecondsUsed"), usage.integer("peakMemoryBytes"), usage.number("storageGbSeconds"),
                cost.number("compute"), cost.number("memory"), cost.number("storage"), cost.number("total"));
    }
}
