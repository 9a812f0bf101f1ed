package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code perpetua usage} against a real daemon: a table, JSON, CSV, and a bad date refused. */
class UsageCommandIT {

    private static LiveDaemon daemon;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = LiveDaemon.start();
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void showsTheSandboxesUsageAsATableJsonAndCsv() {
        CliRun created = CliRun.of(daemon.env(), "", "sandbox", "create", "--output", "json");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String id = created.out().replaceAll("(?s).*\"id\"\\s*:\\s*\"(sb\\w+)\".*", "$1");

        CliRun table = CliRun.of(daemon.env(), "", "usage");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("SANDBOX", "RUNNING", "COST").contains(id).contains("total").contains("in USD");

        CliRun json = CliRun.of(daemon.env(), "", "usage", "--group-by", "day", "--output", "json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.out()).contains("\"groupBy\": \"day\"").contains("\"runningSeconds\"");

        CliRun csv = CliRun.of(daemon.env(), "", "usage", "--csv");
        assertThat(csv.exitCode()).as(csv.err()).isZero();
        assertThat(csv.out().lines().findFirst().orElseThrow()).startsWith("key,running_seconds");
        assertThat(csv.out()).contains(id + ",");

        CliRun bad = CliRun.of(daemon.env(), "", "usage", "--from", "last week");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--from must be a day");
        CliRun.of(daemon.env(), "", "sandbox", "delete", id);
    }

    @Test
    void theCostModelPricesASyntheticFleetAndWritesTraces() {
        CliRun model = CliRun.of(daemon.env(), "", "cost-model", "--active-ratio", "0.05", "--sessions", "5", "--hours", "2");
        assertThat(model.exitCode()).as(model.err()).isZero();
        assertThat(model.out()).contains("5 sessions").contains("ephemeral", "persistent", "perpetual", "REBUILDS");

        CliRun trace = CliRun.of(daemon.env(), "", "cost-model", "trace", "--active-ratio", "0.2", "--sessions", "2", "--hours", "1");
        assertThat(trace.exitCode()).as(trace.err()).isZero();
        assertThat(trace.out()).startsWith("session,start_seconds,duration_seconds\ns1,0,");

        CliRun neither = CliRun.of(daemon.env(), "", "cost-model");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("give --trace FILE or --active-ratio RATIO");
    }
}
