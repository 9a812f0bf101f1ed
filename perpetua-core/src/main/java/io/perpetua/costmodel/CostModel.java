package io.perpetua.costmodel;

import io.perpetua.costmodel.PolicyCost.Policy;
import io.perpetua.metering.Cost;
import io.perpetua.metering.Prices;
import java.util.Arrays;
import java.util.List;

/**
 * What a fleet trace costs under each policy, from the trace and the host's measured costs.
 * Every policy builds a session's state once at its first burst; a session ends with its last
 * burst, when its sandbox is deleted.
 * <ul>
 *   <li>ephemeral: a sandbox per burst, running for the rebuild and the burst;</li>
 *   <li>persistent: one sandbox running from the first burst's start to the last burst's end;</li>
 *   <li>perpetual: running during bursts and for the idle window after each; then standby up to
 *       {@code hibernateAfter}, then hibernated; the next burst waits for the wake-up (running).</li>
 * </ul>
 */
public final class CostModel {

    private static final double GB = 1e9;

    private CostModel() {
    }

    /** The three policies' costs, in the order ephemeral, persistent, perpetual. */
    public static List<PolicyCost> evaluate(Trace trace, CostInputs inputs) {
        return Arrays.stream(Policy.values()).map(policy -> evaluate(trace, inputs, policy)).toList();
    }

    static PolicyCost evaluate(Trace trace, CostInputs inputs, Policy policy) {
        Tally tally = new Tally();
        for (Trace.Session session : trace.sessions()) {
            switch (policy) {
                case EPHEMERAL -> ephemeral(session, inputs, tally);
                case PERSISTENT -> persistent(session, inputs, tally);
                case PERPETUAL -> perpetual(session, inputs, tally);
            }
        }
        return tally.result(policy, inputs);
    }

    private static void ephemeral(Trace.Session session, CostInputs inputs, Tally tally) {
        for (Trace.Burst burst : session.bursts()) {
            tally.rebuild(inputs.rebuildSeconds());
            tally.running += burst.duration();
        }
    }

    private static void persistent(Trace.Session session, CostInputs inputs, Tally tally) {
        tally.rebuild(inputs.rebuildSeconds());
        tally.running += session.bursts().getLast().end() - session.bursts().getFirst().start();
    }

    private static void perpetual(Trace.Session session, CostInputs inputs, Tally tally) {
        tally.rebuild(inputs.rebuildSeconds());
        List<Trace.Burst> bursts = session.bursts();
        for (int i = 0; i < bursts.size(); i++) {
            tally.running += bursts.get(i).duration();
            if (i + 1 == bursts.size()) {
                break;
            }
            double gap = bursts.get(i + 1).start() - bursts.get(i).end();
            double awake = Math.min(gap, inputs.idleTimeoutSeconds());
            double standby = Math.min(gap - awake, inputs.hibernateAfterSeconds());
            double hibernated = gap - awake - standby;
            tally.running += awake;
            tally.dormant += standby + hibernated;
            if (hibernated > 0) {
                tally.resume(inputs.resumeHibernatedSeconds());
            } else if (standby > 0) {
                tally.resume(inputs.resumeStandbySeconds());
            }
        }
    }

    /** Sums over the sessions of one policy. */
    private static final class Tally {
        double running;
        double dormant;
        long rebuilds;
        double rebuildSeconds;
        long resumes;
        double resumeSeconds;

        void rebuild(double seconds) {
            rebuilds++;
            rebuildSeconds += seconds;
            running += seconds;
        }

        void resume(double seconds) {
            resumes++;
            resumeSeconds += seconds;
            running += seconds;
        }

        PolicyCost result(Policy policy, CostInputs inputs) {
            double vcpu = running * inputs.cpus();
            double memory = running * inputs.memoryMb() / 1024.0;
            double storage = dormant * inputs.storedBytes() / GB;
            Prices prices = inputs.prices();
            double compute = vcpu * prices.perVcpuSecond();
            double memoryCost = memory * prices.perGbSecond();
            double storageCost = storage / Prices.SECONDS_PER_MONTH * prices.perGbMonth();
            return new PolicyCost(policy, running, dormant, vcpu, memory, storage,
                    new Cost(compute, memoryCost, storageCost, compute + memoryCost + storageCost),
                    rebuilds, rebuildSeconds, resumes, resumeSeconds);
        }
    }
}
