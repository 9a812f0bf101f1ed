package io.perpetua.metering;

/**
 * Usage summed over some intervals.
 *
 * @param runningSeconds    time running (active compute)
 * @param standbySeconds    time frozen in standby, its memory held
 * @param reclaimedSeconds  time frozen with its memory given back to the host (the reclaimed tier)
 * @param hibernatedSeconds time checkpointed to disk (also failed ones, which keep their snapshot)
 * @param vcpuSeconds       vCPUs allocated × seconds running
 * @param memoryGbSeconds   memory allocated (GiB) × seconds running
 * @param cpuSeconds        CPU time actually used, from the containers' cgroups (known when an interval ends)
 * @param peakMemoryBytes   the most memory a container held at once
 * @param storageGbSeconds  bytes stored (GB) × seconds dormant
 */
public record UsageTotals(double runningSeconds, double standbySeconds, double reclaimedSeconds, double hibernatedSeconds, double vcpuSeconds,
                          double memoryGbSeconds, double cpuSeconds, long peakMemoryBytes, double storageGbSeconds) {

    static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0, 0, 0, 0, 0);

    UsageTotals plus(UsageTotals other) {
        return new UsageTotals(runningSeconds + other.runningSeconds, standbySeconds + other.standbySeconds,
                reclaimedSeconds + other.reclaimedSeconds,
                hibernatedSeconds + other.hibernatedSeconds, vcpuSeconds + other.vcpuSeconds,
                memoryGbSeconds + other.memoryGbSeconds, cpuSeconds + other.cpuSeconds,
                Math.max(peakMemoryBytes, other.peakMemoryBytes), storageGbSeconds + other.storageGbSeconds);
    }
}
