package io.perpetua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.server.ServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

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
    void aUsageErrorShowsWhatIsWrongTheSynopsisAndWhereTheHelpIs() {
        CliRun run = perpetua("server", "--port=http");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("""
                Invalid value for option '--port': 'http' is not a port number from 0 to 65535
                Usage: perpetua server [-hV] [--OPTION=VALUE]...
                Try 'perpetua server --help' for more information.
                """);
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

        assertThat(run.out()).contains("15%;", "PERPETUA_MIN_AVAILABLE_MEMORY, default 10%").doesNotContain("%%");
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
        assertThat(run.out()).contains("server").contains("sandbox").contains("volume").contains("drive");
    }

    @Test
    void sandboxHelpListsItsSubcommands() {
        CliRun run = perpetua("sandbox", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("create", "list", "get", "exec", "standby", "hibernate", "resume", "delete",
                "cp", "ls", "start", "ps", "logs", "kill", "mount-drive");
    }

    @Test
    void serverHelpListsEveryServerOptionWithItsVariableAndDefault() {
        CliRun run = perpetua("server", "--help");
        // The README's table lists the same options (ServerOptionsTest), so it is all in the help too.
        List<OptionSpec> options = new CommandLine(new ServerOptions(Map.of())).getCommandSpec().options();

        assertThat(run.exitCode()).isZero();
        assertThat(options).isNotEmpty();
        for (OptionSpec option : options) {
            String variable = "PERPETUA_" + option.longestName().substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
            String fallback = option.defaultValue() == null ? "no default" : "default " + option.defaultValue();
            assertThat(run.out()).contains(option.longestName() + "=" + option.paramLabel(), variable + ", " + fallback + "\n");
        }
    }

    @Test
    void serverRejectsAnUnknownOptionWithExitCode2() {
        CliRun run = perpetua("server", "--port", "7777", "--data-dir=/tmp/x", "--bogus", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Unknown options: '--bogus', '1'");
    }

    @Test
    void serverRejectsABadValueFromTheEnvironmentNamingItsOptionWithExitCode2() {
        CliRun run = CliRun.of(Map.of("PERPETUA_PORT", "seven"), "", "server");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--port': 'seven' is not a port number from 0 to 65535\n");
    }

    @Test
    void serverTakesAFlagOverItsVariable() {
        CliRun run = CliRun.of(Map.of("PERPETUA_PORT", "seven"), "", "server", "--port=70000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--port': '70000' is not a port number").doesNotContain("seven");
    }

    @Test
    void serverTakesTheLastOfAnOptionGivenTwice() {
        CliRun run = perpetua("server", "--warm-pool", "1", "--warm-pool=65");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--warm-pool': '65' is not a whole number from 0 to 64");
    }

    @Test
    void serverRejectsATlsCertificateWithoutItsKeyWithExitCode2() {
        CliRun run = perpetua("server", "--tls-cert", "/etc/perpetua/cert.pem");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("perpetua: --tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP\n");
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
