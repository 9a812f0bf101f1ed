package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerpetuaCliTest {

    @Test
    void anUnreachableDaemonPrintsHowToStartItAndExitsWith1() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();

        CliRun run = CliRun.of(Map.of("PERPETUA_URL", url), "", "sandbox", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("perpetua: cannot reach the daemon at " + url
                + ": is it running? Start it with ./perpetua server\n");
    }

    @Test
    void aBadOptionValueIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "create", "--memory", "lots");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--memory").contains("lots").contains("Usage: perpetua sandbox create");
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithExitCode2() {
        assertThat(perpetua("sandbox", "list", "--colour").exitCode()).isEqualTo(2);
    }

    @Test
    void anUnknownSubcommandIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("frobnicate");
    }

    @Test
    void aMissingSubcommandIsAUsageErrorWithExitCode2() {
        assertThat(perpetua("sandbox").exitCode()).isEqualTo(2);
    }

    @Test
    void execWithoutACommandIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "exec", "sb1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("CMD");
    }

    @Test
    void serverHelpShowsPercentagesAsWritten() {
        CliRun run = perpetua("server", "--help");

        assertThat(run.out()).contains("e.g. 2g or 15% (default: 10%)");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void anUnknownOutputFormatIsAUsageErrorWithExitCode2() {
        assertThat(perpetua("sandbox", "list", "--output", "xml").exitCode()).isEqualTo(2);
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageErrorWithExitCode2() {
        CliRun run = perpetua("sandbox", "list", "--url", "127.0.0.1:7777");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--url must be an http:// or https:// address");
    }

    @Test
    void versionPrintsTheVersion() {
        CliRun run = perpetua("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("perpetua 0.1.0\n");
    }

    @Test
    void helpListsTheCommands() {
        CliRun run = perpetua("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("server").contains("sandbox");
    }

    @Test
    void sandboxHelpListsItsSubcommands() {
        CliRun run = perpetua("sandbox", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("create", "list", "get", "exec", "standby", "hibernate", "resume", "delete",
                "cp", "ls", "start", "ps", "logs", "kill");
    }

    @Test
    void serverHelpDescribesTheServerOptionsAndTheirVariables() {
        CliRun run = perpetua("server", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--port", "--data-dir", "--idle-timeout", "--hibernate-after", "--platform",
                "--runsc", "--cgroup-parent", "--min-available-memory", "--tick-interval", "PERPETUA_PORT");
    }

    @Test
    void serverRejectsAnUnknownOptionWithExitCode2() {
        CliRun run = perpetua("server", "--port", "7777", "--data-dir=/tmp/x", "--bogus", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("perpetua server: unknown option --bogus");
    }

    @Test
    void serverRejectsABadValueFromTheEnvironmentWithExitCode2() {
        CliRun run = CliRun.of(Map.of("PERPETUA_PORT", "seven"), "", "server");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("perpetua server: --port must be a number but was 'seven'\n");
    }

    private static CliRun perpetua(String... args) {
        return CliRun.of(Map.of(), "", args);
    }

    /** A port nothing listens on: one the OS just handed out and that was closed again. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
