package io.perpetua.client;

/**
 * What a fleet costs under one policy, by the cost model.
 *
 * @param policy           {@code ephemeral}, {@code persistent} or {@code perpetual}
 * @param runningSeconds   sandbox-seconds running
 * @param dormantSeconds   sandbox-seconds in standby or hibernated
 * @param vcpuSeconds      vCPUs × running seconds
 * @param memoryGbSeconds  memory (GiB) × running seconds
 * @param storageGbSeconds GB stored × dormant seconds
 * @param computeCost      vCPU-seconds at their price
 * @param memoryCost       memory at its price
 * @param storageCost      storage at its price
 * @param totalCost        the sum
 * @param rebuilds         how many times a session's state was rebuilt from scratch
 * @param rebuildSeconds   time spent rebuilding state
 * @param resumes          wake-ups from standby or hibernation
 * @param resumeSeconds    time requests waited for wake-ups
 */
public record PolicyEstimate(String policy, double runningSeconds, double dormantSeconds, double vcpuSeconds, double memoryGbSeconds,
                             double storageGbSeconds, double computeCost, double memoryCost, double storageCost, double totalCost,
                             long rebuilds, double rebuildSeconds, long resumes, double resumeSeconds) {

    static PolicyEstimate from(JsonObject json) {
        JsonObject cost = json.object("cost");
        return new PolicyEstimate(json.string("policy"), json.number("runningSeconds"), json.number("dormantSeconds"),
                json.number("vcpuSeconds"), json.number("memoryGbSeconds"), json.number("storageGbSeconds"), cost.number("compute"),
                cost.number("memory"), cost.number("storage"), cost.number("total"), json.integer("rebuilds"),
                json.number("rebuildSeconds"), json.integer("resumes"), json.number("resumeSeconds"));
    }
}
