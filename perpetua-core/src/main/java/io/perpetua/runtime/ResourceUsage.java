package io.perpetua.runtime;

/**
 * Host-side accounting of one container.
 *
 * @param cpuNanos        CPU time used by all of its processes since it started, in nanoseconds
 * @param memoryBytes     memory it holds right now
 * @param peakMemoryBytes the most memory it held at once since it started
 */
public record ResourceUsage(long cpuNanos, long memoryBytes, long peakMemoryBytes) {

    /** Nothing known: no container any more, or a runtime that does not measure. */
    public static final ResourceUsage NONE = new ResourceUsage(0, 0, 0);
}
