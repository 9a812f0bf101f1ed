package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.HIBERNATE_AFTER;
import static io.perpetua.lifecycle.Engine.IDLE;
import static io.perpetua.lifecycle.Engine.START;
import static io.perpetua.lifecycle.Engine.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perpetua.access.ProjectId;
import io.perpetua.metering.Prices;
import io.perpetua.metering.StateChange;
import io.perpetua.metering.Usage;
import io.perpetua.metering.UsageQuery;
import io.perpetua.metering.UsageReport;
import io.perpetua.metering.UsageTotals;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage ledger, driven through known state durations on a clock that moves only when told. */
class MeteringTest {

    private static final Prices PRICES = new Prices("USD", 0.00001, 0.000001, 0.10);

    @TempDir
    Path snapshotRoot;

    private Engine engine;
    private SandboxService service;
    private SandboxId id;

    @BeforeEach
    void createOne() {
        engine = new Engine(snapshotRoot);
        service = engine.start();
        id = service.create(SandboxSpec.defaults()).id();
    }

    @Test
    void knownStateDurationsComeBackExactly() {
        count(service, id);
        engine.clock.advance(IDLE);                  // running 30 s, then standby
        service.tick();
        engine.clock.advance(HIBERNATE_AFTER);       // standby 5 min, then hibernated
        service.tick();
        engine.clock.advance(Duration.ofSeconds(10)); // hibernated 10 s, then woken
        count(service, id);
        engine.clock.advance(Duration.ofSeconds(20)); // running 20 s, then deleted
        service.delete(id);
        engine.clock.advance(Duration.ofHours(1));   // nothing is counted after the delete

        UsageTotals usage = report(UsageQuery.GroupBy.SANDBOX).total().usage();
        assertThat(usage.runningSeconds()).isEqualTo(50);
        assertThat(usage.standbySeconds()).isEqualTo(300);
        assertThat(usage.hibernatedSeconds()).isEqualTo(10);
        assertThat(usage.vcpuSeconds()).isEqualTo(50);                 // 1 vCPU
        assertThat(usage.memoryGbSeconds()).isEqualTo(256 / 1024.0 * 50); // 256 MiB
        assertThat(engine.ledger.lines()).extracting(StateChange::state).containsExactly(SandboxState.RUNNING,
                SandboxState.STANDBY, SandboxState.HIBERNATED, SandboxState.RUNNING, SandboxState.DELETED);
    }

    @Test
    void dormantSandboxesAreMeteredByWhatTheyStore() {
        engine.clock.advance(IDLE);
        service.tick();
        engine.clock.advance(HIBERNATE_AFTER);
        service.tick();
        long snapshotBytes = service.get(id).snapshot().sizeBytes();
        engine.clock.advance(Duration.ofSeconds(100));

        UsageReport report = report(UsageQuery.GroupBy.SANDBOX);
        double standby = engine.diskBytes / 1e9 * HIBERNATE_AFTER.toSeconds();
        double hibernated = (engine.diskBytes + snapshotBytes) / 1e9 * 100;
        assertThat(report.total().usage().storageGbSeconds()).isCloseTo(standby + hibernated, within(1e-9));
        assertThat(report.total().cost().storage()).isCloseTo((standby + hibernated) / (30 * 24 * 3600.0) * 0.10, within(1e-12));
        assertThat(report.total().cost().compute()).isCloseTo(30 * 0.00001, within(1e-12));
    }

    @Test
    void aRestartInTheMiddleLosesNothingAndCountsNothingTwice() {
        engine.clock.advance(Duration.ofSeconds(10));
        service.tick();
        service.close();
        engine.clock.advance(Duration.ofSeconds(15)); // the daemon is down; the sandbox keeps running
        service = engine.start();
        engine.clock.advance(IDLE);
        service.tick();                                // standby, 30 s after the restart's fresh idle window
        engine.clock.advance(Duration.ofSeconds(5));

        UsageTotals usage = report(UsageQuery.GroupBy.SANDBOX).total().usage();
        assertThat(usage.runningSeconds()).isEqualTo(10 + 15 + 30);
        assertThat(usage.standbySeconds()).isEqualTo(5);
        assertThat(engine.ledger.lines()).extracting(StateChange::state)
                .containsExactly(SandboxState.RUNNING, SandboxState.STANDBY);
    }

    @Test
    void aContainerLostWithTheHostIsBilledUntilTheLastHeartbeat() {
        engine.clock.advance(IDLE);
        service.tick();                                  // standby at +30 s; a heartbeat was written at the start
        engine.clock.advance(HIBERNATE_AFTER.minusSeconds(1));
        service.tick();                                  // heartbeat at +329 s, still in standby
        Instant lastAlive = engine.clock.instant();
        engine.runtime.loseContainers(id);               // the host went down with it ...
        engine.clock.advance(Duration.ofHours(2));       // ... for two hours
        service = engine.start();                        // the sandbox falls back to nothing: it had no snapshot
        engine.clock.advance(Duration.ofSeconds(1));

        StateChange recovered = engine.ledger.lines().getLast();
        assertThat(recovered.at()).isEqualTo(lastAlive);
        assertThat(report(UsageQuery.GroupBy.SANDBOX).total().usage().standbySeconds())
                .isEqualTo(Duration.between(START.plus(IDLE), lastAlive).toSeconds());
    }

    @Test
    void daysSplitAtMidnight() {
        Instant beforeMidnight = START.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(40);
        engine.clock.advance(Duration.between(START, beforeMidnight));
        count(service, id);                               // activity: stays running across midnight
        engine.clock.advance(Duration.ofSeconds(100));

        UsageReport report = report(UsageQuery.GroupBy.DAY);
        assertThat(report.rows()).hasSize(2);
        assertThat(report.rows().get(1).usage().runningSeconds()).isEqualTo(60);
        assertThat(report.rows().get(0).usage().runningSeconds()).isEqualTo(Duration.between(START, beforeMidnight).toSeconds() + 40);
    }

    private UsageReport report(UsageQuery.GroupBy groupBy) {
        Instant now = engine.clock.instant();
        UsageQuery query = new UsageQuery(START.minusSeconds(3600), now, groupBy, null);
        return Usage.report(engine.ledger.changesBefore(now, ProjectId.DEFAULT), query, sandbox -> Map.of(), PRICES);
    }
}
