package io.perpetua.costmodel;

import io.perpetua.metering.Cost;

/**
 * What a fleet costs under one policy.
 *
 * @param policy           ephemeral, persistent or perpetual
 * @param runningSeconds   sandbox-seconds running (billed as compute)
 * @param dormantSeconds   sandbox-seconds in standby or hibernated (billed as storage)
 * @param vcpuSeconds      vCPUs × running seconds
 * @param memoryGbSeconds  memory (GiB) × running seconds
 * @param storageGbSeconds GB stored × dormant seconds
 * @param cost             the units at the prices given
 * @param rebuilds         how many times a session's state had to be rebuilt from scratch
 * @param rebuildSeconds   time spent rebuilding state, which the agent waits through
 * @param resumes          how many wake-ups from standby or hibernation
 * @param resumeSeconds    time the first request after a gap waited for its sandbox to wake
 */
public record PolicyCost(Policy policy, double runningSeconds, double dormantSeconds, double vcpuSeconds, double memoryGbSeconds,
                         double storageGbSeconds, Cost cost, long rebuilds, double rebuildSeconds, long resumes, double resumeSeconds) {

    /** How a sandbox is kept between bursts of work. */
    public enum Policy {
        /** Deleted when its work is done; its state is rebuilt for the next burst. */
        EPHEMERAL,
        /** Kept running, and billed, from the session's first burst to its last. */
        PERSISTENT,
        /** Perpetua: standby after the idle window, hibernated later, woken by the next request. */
        PERPETUAL
    }
}
