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
}
