package io.perpetua.costmodel;

import io.perpetua.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic fleet traces: each session alternates bursts of work and idle gaps, both drawn
 * from exponential distributions, with the gap's mean set so that the fleet is active for the
 * requested share of the time. Seeded: the same arguments give the same trace.
 */
public final class TraceGenerator {

    private TraceGenerator() {
    }

    /**
     * @param sessions     how many sessions (sandboxes)
     * @param hours        how long each session lasts
     * @param activeRatio  the share of time with work going on, such as 0.05
     * @param meanBurst    the mean length of a burst, in seconds
     * @param seed         the random generator's seed
     */
    public static Trace generate(int sessions, double hours, double activeRatio, double meanBurst, long seed) {
        InvalidInputException.check(sessions >= 1 && sessions <= 10_000, "sessions", "sessions must be between 1 and 10000");
        InvalidInputException.check(hours > 0 && hours <= 24 * 31, "hours", "hours must be more than 0 and at most 744");
        InvalidInputException.check(activeRatio > 0 && activeRatio <= 1, "activeRatio", "activeRatio must be more than 0 and at most 1");
        InvalidInputException.check(meanBurst >= 1 && meanBurst <= 86_400, "meanBurst", "meanBurst must be between 1 and 86400 seconds");
        Random random = new Random(seed);
        double horizon = hours * 3600;
        double meanGap = meanBurst * (1 - activeRatio) / activeRatio;
        List<Trace.Session> all = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            List<Trace.Burst> bursts = new ArrayList<>();
            double at = 0;
            while (at < horizon && bursts.size() < Trace.MAX_BURSTS / sessions) {
                double duration = Math.min(Math.max(1, Math.round(exponential(random, meanBurst))), horizon - at);
                if (duration < 1) {
                    break;
                }
                bursts.add(new Trace.Burst(at, duration));
                at += duration + (activeRatio < 1 ? Math.max(1, Math.round(exponential(random, meanGap))) : 0);
            }
            all.add(new Trace.Session("s" + (s + 1), List.copyOf(bursts)));
        }
        return new Trace(List.copyOf(all));
    }

    private static double exponential(Random random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }
}
