package io.perpetua.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perpetua.access.ProjectId;
import io.perpetua.sandbox.SandboxId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Saved snapshots in usage reports: storage by bytes and time, with the sandbox they were taken of, within the period. */
class SnapshotStorageTest {

    private static final Prices PRICES = new Prices("USD", 0.00001, 0.000001, 0.10);
    private static final Instant T0 = Instant.parse("2026-03-01T23:00:00Z");
    private static final SandboxId SOURCE = SandboxId.of("sbaaaaaaaaaaaaaa");

    @Test
    void aKeptSnapshotIsStorageUntilTheEndOfThePeriod() {
        StoredSnapshot kept = new StoredSnapshot(SOURCE, ProjectId.DEFAULT, T0, null, 2_000_000_000L);

        UsageReport report = report(List.of(kept), new UsageQuery(T0.minusSeconds(600), T0.plusSeconds(100), UsageQuery.GroupBy.SANDBOX, null));

        assertThat(report.rows()).singleElement().satisfies(row -> {
            assertThat(row.key()).isEqualTo(SOURCE.value());
            assertThat(row.usage().storageGbSeconds()).isCloseTo(200.0, within(1e-9));
            assertThat(row.usage().hibernatedSeconds()).as("a snapshot is not a sleeping sandbox").isZero();
        });
    }

    @Test
    void aDeletedSnapshotCountsUntilItsDeletionAndOnlyInsideThePeriod() {
        StoredSnapshot deleted = new StoredSnapshot(SOURCE, ProjectId.DEFAULT, T0, T0.plusSeconds(7200), 1_000_000_000L);

        UsageReport report = report(List.of(deleted), new UsageQuery(T0.plusSeconds(1800), T0.plusSeconds(86_400), UsageQuery.GroupBy.DAY, null));

        assertThat(report.rows()).extracting(UsageRow::key).containsExactly("2026-03-01", "2026-03-02");
        assertThat(report.total().usage().storageGbSeconds()).isCloseTo(5400.0, within(1e-9));
    }

    @Test
    void byDayASnapshotIsCutAtMidnight() {
        StoredSnapshot kept = new StoredSnapshot(SOURCE, ProjectId.DEFAULT, T0.plusSeconds(1800), null, 1_000_000_000L);

        UsageReport report = report(List.of(kept), new UsageQuery(T0, T0.plusSeconds(5400), UsageQuery.GroupBy.DAY, null));

        assertThat(report.rows()).extracting(row -> row.key() + " " + Math.round(row.usage().storageGbSeconds()))
                .containsExactly("2026-03-01 1800", "2026-03-02 1800");
    }

    private static UsageReport report(List<StoredSnapshot> snapshots, UsageQuery query) {
        return Usage.report(List.of(), snapshots, query, sandbox -> Map.of(), PRICES);
    }
}
