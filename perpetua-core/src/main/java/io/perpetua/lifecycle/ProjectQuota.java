package io.perpetua.lifecycle;

/**
 * What one project may hold at once; 0 means no limit.
 *
 * @param maxSandboxes sandboxes that exist (in any state but deleted)
 * @param maxRunning   sandboxes running (awake) at the same time; sleeping ones do not count
 */
public record ProjectQuota(int maxSandboxes, int maxRunning) {

    /** No limit at all. */
    public static final ProjectQuota UNLIMITED = new ProjectQuota(0, 0);

    /** Checks that no limit is negative. */
    public ProjectQuota {
        if (maxSandboxes < 0 || maxRunning < 0) {
            throw new IllegalArgumentException("project limits must not be negative but were " + maxSandboxes + " and " + maxRunning);
        }
    }
}
