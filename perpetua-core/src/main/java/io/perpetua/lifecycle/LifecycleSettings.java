package io.perpetua.lifecycle;

import io.perpetua.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Server-wide settings of the lifecycle engine.
 *
 * @param defaults           values for whatever a create request leaves out; must be complete
 * @param minAvailableMemory when the host has less memory available than this, standby
 *                           sandboxes are hibernated, longest asleep first; 0 disables the check
 * @param quota              what each project may hold at once
 * @param reclaimAfter       time in standby before a sandbox's memory is given back to the host
 *                           (the reclaimed tier); {@code null} turns the tier off
 */
public record LifecycleSettings(SandboxSpec defaults, long minAvailableMemory, ProjectQuota quota, Duration reclaimAfter) {

    /** Checks that the defaults name every optional value; limits left out are the product's. */
    public LifecycleSettings {
        Objects.requireNonNull(defaults, "defaults");
        defaults = defaults.withDefaults(PRODUCT_LIMITS);
        if (defaults.template() == null || defaults.idleTimeout() == null || defaults.hibernateAfter() == null
                || defaults.memoryMb() == null || defaults.cpus() == null) {
            throw new IllegalArgumentException("defaults must set template, idleTimeout, hibernateAfter, memoryMb and cpus but were " + defaults);
        }
        if (minAvailableMemory < 0) {
            throw new IllegalArgumentException("minAvailableMemory must not be negative but was " + minAvailableMemory);
        }
        Objects.requireNonNull(quota, "quota");
        if (reclaimAfter != null && (reclaimAfter.isNegative() || reclaimAfter.isZero())) {
            throw new IllegalArgumentException("reclaimAfter must be positive (or null: off) but was " + reclaimAfter);
        }
    }

    /** Settings without the reclaimed tier. */
    public LifecycleSettings(SandboxSpec defaults, long minAvailableMemory, ProjectQuota quota) {
        this(defaults, minAvailableMemory, quota, null);
    }

    /** Settings without project limits or the reclaimed tier. */
    public LifecycleSettings(SandboxSpec defaults, long minAvailableMemory) {
        this(defaults, minAvailableMemory, ProjectQuota.UNLIMITED);
    }

    /**
     * Limits of a sandbox for which neither the caller nor the operator chose one: 10 GiB of disk,
     * 1024 processes, 65536 open files per process.
     */
    public static final SandboxSpec PRODUCT_LIMITS = new SandboxSpec(null, null, null, null, null, null, null,
            10 * 1024, 1024, 65536, null);

    /** The product's defaults: 15 s idle window, 10 min in standby before hibernation, 1 GiB, 1 CPU. */
    public static LifecycleSettings standard() {
        return new LifecycleSettings(new SandboxSpec("default", Duration.ofSeconds(15), Duration.ofMinutes(10),
                null, null, 1024, 1.0), 0);
    }
}
