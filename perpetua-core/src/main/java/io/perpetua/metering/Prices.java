package io.perpetua.metering;

import java.util.Objects;

/**
 * What usage costs: compute by the second while running, memory by the GB-second while
 * running, storage by the GB-month while dormant (a month being 30 days).
 *
 * @param currency       the currency the prices are in, such as {@code USD}
 * @param perVcpuSecond  price of one vCPU allocated for one second of running
 * @param perGbSecond    price of one GB (2^30 bytes) of memory allocated for one second of running
 * @param perGbMonth     price of one GB (10^9 bytes) kept on disk for a month while dormant
 */
public record Prices(String currency, double perVcpuSecond, double perGbSecond, double perGbMonth) {

    /** Seconds in the month that storage prices are quoted for. */
    public static final double SECONDS_PER_MONTH = 30 * 24 * 3600.0;

    /** Checks that the prices are not negative. */
    public Prices {
        Objects.requireNonNull(currency, "currency");
        if (perVcpuSecond < 0 || perGbSecond < 0 || perGbMonth < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
    }
}
