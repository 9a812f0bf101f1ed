package io.perpetua.costmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.perpetua.error.InvalidInputException;
import io.perpetua.metering.Prices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cost model on a trace small enough to work out by hand, and on generated traces. */
class CostModelTest {

    private static final Prices PRICES = new Prices("USD", 0.001, 0.0001, 1.0);
    /** Idle window 15 s, standby 600 s before hibernation, resumes 0.5 s and 2 s, rebuild 10 s (no creation), 1 GB stored. */
    private static final CostInputs INPUTS = new CostInputs(2, 2048, 1_000_000_000L, 15, 600, 0.5, 2, 10, 0, PRICES);

    /** Bursts of 60 s at 0, 100 (a 40 s gap: standby) and 1000 (an 840 s gap: hibernated). */
    private static final Trace TRACE = Trace.parse("""
            session,start_seconds,duration_seconds
            a,0,60
            a,100,60
            # a comment
            a,1000,60
            """);

    @Test
    void ephemeralRebuildsAtEveryBurst() {
        PolicyCost cost = CostModel.evaluate(TRACE, INPUTS, PolicyCost.Policy.EPHEMERAL);
        assertThat(cost.runningSeconds()).isEqualTo(3 * 10 + 180);
        assertThat(cost.rebuilds()).isEqualTo(3);
        assertThat(cost.rebuildSeconds()).isEqualTo(30);
        assertThat(cost.dormantSeconds()).isZero();
    }

    @Test
    void creatingASandboxIsWaitedForButNotBilled() {
        CostInputs creating = new CostInputs(2, 2048, 1_000_000_000L, 15, 600, 0.5, 2, 10, 4, PRICES);
        PolicyCost cost = CostModel.evaluate(TRACE, creating, PolicyCost.Policy.EPHEMERAL);
        assertThat(cost.runningSeconds()).isEqualTo(3 * (10 - 4) + 180);
        assertThat(cost.rebuildSeconds()).isEqualTo(30);
    }

    @Test
    void persistentRunsFromTheFirstBurstToTheLast() {
        PolicyCost cost = CostModel.evaluate(TRACE, INPUTS, PolicyCost.Policy.PERSISTENT);
        // the rebuild runs inside the same stretch: the first burst's work starts 10 s late
        assertThat(cost.runningSeconds()).isEqualTo(1060);
        assertThat(cost.vcpuSeconds()).isEqualTo(2 * 1060);
        assertThat(cost.memoryGbSeconds()).isEqualTo(2 * 1060);
        assertThat(cost.cost().compute()).isCloseTo(2 * 1060 * 0.001, within(1e-9));
        assertThat(cost.rebuilds()).isEqualTo(1);
    }

    @Test
    void perpetualSleepsThroughGapsAndPaysForWakeUpsAndStorage() {
        PolicyCost cost = CostModel.evaluate(TRACE, INPUTS, PolicyCost.Policy.PERPETUAL);
        // rebuild once, the bursts, then per gap the idle window and the wake-up: 15 + 0.5, then 15 + 2
        assertThat(cost.runningSeconds()).isEqualTo(10 + 180 + 15.5 + 17);
        // the rebuild delays the first burst's end by 10 s, the first wake-up the second's by 0.5 s
        assertThat(cost.dormantSeconds()).isEqualTo((40 - 10 - 15) + (840 - 0.5 - 15));
        assertThat(cost.resumes()).isEqualTo(2);
        assertThat(cost.resumeSeconds()).isEqualTo(2.5);
        assertThat(cost.storageGbSeconds()).isEqualTo(839.5);
        assertThat(cost.cost().storage()).isCloseTo(839.5 / Prices.SECONDS_PER_MONTH, within(1e-12));
    }

    @Test
    void generatedTracesHaveTheActiveRatioAskedForAndComeBackFromCsv() {
        for (double ratio : List.of(0.02, 0.05, 0.2, 0.5)) {
            Trace trace = TraceGenerator.generate(50, 8, ratio, 60, 7);
            assertThat(trace.activeRatio()).as("ratio %s", ratio).isCloseTo(ratio, within(ratio * 0.25));
            assertThat(Trace.parse(trace.toCsv())).isEqualTo(trace);
        }
        assertThat(TraceGenerator.generate(3, 1, 0.1, 30, 1)).isEqualTo(TraceGenerator.generate(3, 1, 0.1, 30, 1));
    }

    @Test
    void perpetualCostsLessThanPersistentWhenIdleAndRebuildsLessThanEphemeral() {
        Trace sparse = TraceGenerator.generate(20, 8, 0.05, 60, 3);
        List<PolicyCost> costs = CostModel.evaluate(sparse, CostInputs.measuredDefaults(PRICES));
        PolicyCost ephemeral = costs.get(0);
        PolicyCost persistent = costs.get(1);
        PolicyCost perpetual = costs.get(2);
        assertThat(perpetual.cost().total()).isLessThan(persistent.cost().total() / 5);
        assertThat(perpetual.rebuildSeconds()).isLessThan(ephemeral.rebuildSeconds() / 10);
    }

    @Test
    void badTracesNameTheLine() {
        assertThatThrownBy(() -> Trace.parse("a,0,10\na,5,10")).isInstanceOf(InvalidInputException.class).hasMessageContaining("overlapping");
        assertThatThrownBy(() -> Trace.parse("a,zero,10")).hasMessageContaining("line 1").hasMessageContaining("'zero'");
        assertThatThrownBy(() -> Trace.parse("a,0")).hasMessageContaining("line 1 must be session,start_seconds,duration_seconds");
        assertThatThrownBy(() -> Trace.parse("a,0,-5")).hasMessageContaining("lasts more than 0 seconds");
        assertThatThrownBy(() -> Trace.parse("session,start_seconds,duration_seconds\n")).hasMessageContaining("no bursts");
    }
}
