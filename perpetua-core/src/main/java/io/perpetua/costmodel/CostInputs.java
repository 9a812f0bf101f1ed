package io.perpetua.costmodel;

import io.perpetua.error.InvalidInputException;
import io.perpetua.metering.Prices;
import java.util.Objects;

/**
 * What the cost model needs to know about the sandboxes and the host: their shape, the
 * lifecycle settings, and what resuming and rebuilding cost here (measured by the benchmark).
 *
 * @param cpus                    vCPUs per sandbox
 * @param memoryMb                memory per sandbox
 * @param storedBytes             bytes a dormant sandbox keeps on disk (snapshot and disk image)
 * @param idleTimeoutSeconds      time without activity before standby (perpetual)
 * @param hibernateAfterSeconds   time in standby before hibernation (perpetual)
 * @param resumeStandbySeconds    what a wake-up from standby adds to the first request
 * @param resumeHibernatedSeconds what a wake-up from hibernation adds to the first request
 * @param rebuildSeconds          time to rebuild a session's state in a new sandbox (create it, re-create files,
 *                                re-install and re-start what ran): what an ephemeral sandbox pays at every burst
 * @param createSeconds           the part of {@code rebuildSeconds} spent creating the sandbox, before it runs and
 *                                is billed (the ledger bills from the moment it runs)
 * @param prices                  what usage costs
 */
public record CostInputs(double cpus, int memoryMb, long storedBytes, double idleTimeoutSeconds, double hibernateAfterSeconds,
                         double resumeStandbySeconds, double resumeHibernatedSeconds, double rebuildSeconds, double createSeconds,
                         Prices prices) {

    /**
     * Measured on this project's 2-core test host (docs/BENCHMARKS.md, ptrace platform): the
     * first exec after standby costs what any exec costs; a hibernated sandbox with 50 MB of
     * memory resumes in 0.85 s; rebuilding a 50 MB process and 200 files takes 3.8 s; such a
     * sandbox stores a 54 MB snapshot and about 70 MB of disk image; a create served by the
     * warm pool takes 0.1 s of that.
     */
    public static CostInputs measuredDefaults(Prices prices) {
        return new CostInputs(1, 1024, 124_000_000L, 15, 600, 0.001, 0.85, 3.8, 0.1, prices);
    }

    /** Checks that every value makes sense. */
    public CostInputs {
        Objects.requireNonNull(prices, "prices");
        InvalidInputException.check(cpus > 0 && cpus <= 64, "cpus", "cpus must be more than 0 and at most 64");
        InvalidInputException.check(memoryMb >= 16 && memoryMb <= 1 << 20, "memoryMb", "memoryMb must be between 16 and 1048576");
        InvalidInputException.check(storedBytes >= 0, "storedBytes", "storedBytes must not be negative");
        InvalidInputException.check(idleTimeoutSeconds > 0, "idleTimeoutSeconds", "idleTimeoutSeconds must be positive");
        InvalidInputException.check(hibernateAfterSeconds > 0, "hibernateAfterSeconds", "hibernateAfterSeconds must be positive");
        InvalidInputException.check(resumeStandbySeconds >= 0 && resumeHibernatedSeconds >= 0 && rebuildSeconds >= 0, "rebuildSeconds",
                "resume and rebuild times must not be negative");
        InvalidInputException.check(createSeconds >= 0 && createSeconds <= rebuildSeconds, "createSeconds",
                "createSeconds is part of rebuildSeconds: between 0 and " + rebuildSeconds);
    }
}
