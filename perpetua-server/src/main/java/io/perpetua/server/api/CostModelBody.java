package io.perpetua.server.api;

import io.perpetua.costmodel.CostInputs;
import io.perpetua.costmodel.Trace;
import io.perpetua.costmodel.TraceGenerator;
import io.perpetua.error.InvalidInputException;
import io.perpetua.metering.Prices;

/**
 * {@code POST /v1/cost-model}: a trace (CSV text) or how to generate one, and what to change of
 * the host's measured inputs.
 */
record CostModelBody(String trace, Generate generate, Inputs inputs) {

    /** A synthetic trace: see {@link TraceGenerator}. */
    record Generate(Integer sessions, Double hours, Double activeRatio, Double meanBurstSeconds, Long seed) {

        Trace toTrace() {
            InvalidInputException.check(activeRatio != null, "generate.activeRatio", "generate.activeRatio is required, such as 0.05");
            return TraceGenerator.generate(or(sessions, 20), or(hours, 8.0), activeRatio, or(meanBurstSeconds, 60.0), or(seed, 1L));
        }
    }

    /** Overrides of {@link CostInputs#measuredDefaults}; each may be left out. */
    record Inputs(Double cpus, Integer memoryMb, Long storedBytes, Double idleTimeoutSeconds, Double hibernateAfterSeconds,
                  Double resumeStandbySeconds, Double resumeHibernatedSeconds, Double rebuildSeconds, Double createSeconds) {

        CostInputs over(CostInputs base) {
            return new CostInputs(or(cpus, base.cpus()), or(memoryMb, base.memoryMb()), or(storedBytes, base.storedBytes()),
                    or(idleTimeoutSeconds, base.idleTimeoutSeconds()), or(hibernateAfterSeconds, base.hibernateAfterSeconds()),
                    or(resumeStandbySeconds, base.resumeStandbySeconds()), or(resumeHibernatedSeconds, base.resumeHibernatedSeconds()),
                    or(rebuildSeconds, base.rebuildSeconds()), or(createSeconds, Math.min(base.createSeconds(), or(rebuildSeconds,
                    base.rebuildSeconds()))), base.prices());
        }
    }

    Trace toTrace() {
        InvalidInputException.check((trace == null) != (generate == null), "trace",
                "give either trace (CSV: session,start_seconds,duration_seconds) or generate {activeRatio, ...}, not both or neither");
        return trace != null ? Trace.parse(trace) : generate.toTrace();
    }

    CostInputs toInputs(Prices prices) {
        CostInputs defaults = CostInputs.measuredDefaults(prices);
        return inputs == null ? defaults : inputs.over(defaults);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
