package io.perpetua.costmodel;

import io.perpetua.costmodel.PolicyCost.Policy;
import io.perpetua.metering.Cost;
import io.perpetua.metering.Prices;
import java.util.Arrays;
import java.util.List;

/**
 * What a fleet trace costs under each policy, from the trace and the host's measured costs.
 * Every policy builds a session's state once at its first burst; a session ends with its last
 * burst, when its sandbox is deleted. Waiting delays work: a burst that waits for a rebuild or
 * a wake-up ends that much later, and the idle gap after it is that much shorter. Billing starts
 * when a sandbox runs, so the creation part of a rebuild is waited for but not billed.
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
            tally.rebuild(inputs, burst.duration());
        }
    }

    private static void persistent(Trace.Session session, CostInputs inputs, Tally tally) {
        tally.rebuild(inputs, 0);
        Trace.Burst first = session.bursts().getFirst();
        double end = Math.max(session.bursts().getLast().end(), first.end() + inputs.rebuildSeconds());
        tally.running += end - first.start() - inputs.rebuildSeconds();
    }

    private static void perpetual(Trace.Session session, CostInputs inputs, Tally tally) {
        List<Trace.Burst> bursts = session.bursts();
        tally.rebuild(inputs, 0);
        double delay = inputs.rebuildSeconds();
        for (int i = 0; i < bursts.size(); i++) {
            tally.running += bursts.get(i).duration();
            if (i + 1 == bursts.size()) {
                break;
            }
            double gap = Math.max(0, bursts.get(i + 1).start() - bursts.get(i).end() - delay);
            double awake = Math.min(gap, inputs.idleTimeoutSeconds());
            double standby = Math.min(gap - awake, inputs.hibernateAfterSeconds());
            double hibernated = gap - awake - standby;
            tally.running += awake;
            tally.dormant += standby + hibernated;
            delay = hibernated > 0 ? inputs.resumeHibernatedSeconds() : standby > 0 ? inputs.resumeStandbySeconds() : 0;
            if (standby > 0) {
                tally.resume(delay);
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

        /** A new sandbox and its state, then {@code work} seconds of work in it. */
        void rebuild(CostInputs inputs, double work) {
            rebuilds++;
            rebuildSeconds += inputs.rebuildSeconds();
            running += inputs.rebuildSeconds() - inputs.createSeconds() + work;
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
