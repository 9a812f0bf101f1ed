package io.perpetua.runtime;

/**
 * Host-side accounting of one container.
 *
 * @param cpuNanos    CPU time used by all of its processes since it started, in nanoseconds
 * @param memoryBytes memory it holds right now
 */
public record ResourceUsage(long cpuNanos, long memoryBytes) {
}
