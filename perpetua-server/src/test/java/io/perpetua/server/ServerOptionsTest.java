package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.lifecycle.HostMemory;
import io.perpetua.lifecycle.ProjectQuota;
import io.perpetua.metering.Prices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class ServerOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig config = ServerOptions.parse(List.of(), Map.of());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7777);
        assertThat(config.dataDirectory()).isEqualTo(Path.of(System.getProperty("user.home"), ".perpetua"));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.hibernateAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.platform()).isEqualTo("ptrace");
        assertThat(config.runsc()).isEqualTo("runsc");
        assertThat(config.cgroupParent()).isEqualTo("perpetua");
        assertThat(config.minAvailableMemory()).isEqualTo(HostMemory.totalBytes() / 100 * 10);
        assertThat(config.tickInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.warmPool()).isEqualTo(2);
        assertThat(config.network()).isEqualTo("sandbox");
        assertThat(config.subnet()).isEqualTo("10.200.0.0/16");
        assertThat(config.projectQuota()).isEqualTo(new ProjectQuota(1000, 64));
        assertThat(config.prices()).isEqualTo(new Prices("USD", 0.0000112, 0.00000123, 0.08));
        assertThat(config.tls()).isNull();
        assertThat(config.adminKey()).isNull();
        assertThat(config.sandboxDomain()).isNull();
    }

    @Test
    void flagsWinOverEnvironmentVariablesWhichWinOverDefaults() {
        ServerConfig config = ServerOptions.parse(List.of("--port", "8080", "--idle-timeout=30s"),
                Map.of("PERPETUA_PORT", "9090", "PERPETUA_HIBERNATE_AFTER", "2h", "PERPETUA_PLATFORM", "kvm"));
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.hibernateAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(config.platform()).isEqualTo("kvm");
        assertThat(config.warmPool()).isEqualTo(2);
    }

    @Test
    void everyOptionCanBeSetByItsVariable() {
        Map<String, String> env = new HashMap<>();
        env.put("PERPETUA_HOST", "0.0.0.0");
        env.put("PERPETUA_DATA_DIR", "/srv/perpetua");
        env.put("PERPETUA_MIN_AVAILABLE_MEMORY", "2g");
        env.put("PERPETUA_NETWORK", "none");
        env.put("PERPETUA_SUBNET", "10.9.0.0/16");
        env.put("PERPETUA_PROJECT_MAX_SANDBOXES", "5");
        env.put("PERPETUA_PROJECT_MAX_RUNNING", "0");
        env.put("PERPETUA_PRICE_VCPU_SECOND", "0.5");
        env.put("PERPETUA_PRICE_GB_SECOND", "0.25");
        env.put("PERPETUA_PRICE_STORAGE_GB_MONTH", "1");
        env.put("PERPETUA_CURRENCY", "EUR");
        env.put("PERPETUA_WARM_POOL", "0");
        env.put("PERPETUA_TICK_INTERVAL", "1s");
        env.put("PERPETUA_IDLE_TIMEOUT", "1h");
        env.put("PERPETUA_RUNSC", "/opt/runsc");
        env.put("PERPETUA_CGROUP_PARENT", "elsewhere");
        env.put("PERPETUA_SANDBOX_DOMAIN", "Sandboxes.Example.com");

        ServerConfig config = ServerOptions.parse(List.of(), env);

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/perpetua"));
        assertThat(config.minAvailableMemory()).isEqualTo(2L << 30);
        assertThat(config.network()).isEqualTo("none");
        assertThat(config.subnet()).isEqualTo("10.9.0.0/16");
        assertThat(config.projectQuota()).isEqualTo(new ProjectQuota(5, 0));
        assertThat(config.prices()).isEqualTo(new Prices("EUR", 0.5, 0.25, 1));
        assertThat(config.warmPool()).isZero();
        assertThat(config.tickInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.runsc()).isEqualTo("/opt/runsc");
        assertThat(config.cgroupParent()).isEqualTo("elsewhere");
        assertThat(config.sandboxDomain()).isEqualTo("sandboxes.example.com");
    }

    @Test
    void aBlankVariableCountsAsUnset() {
        assertThat(ServerOptions.parse(List.of(), Map.of("PERPETUA_PORT", " ")).port()).isEqualTo(7777);
    }

    @Test
    void aVariableIsTakenAsItIsDollarSignsIncluded() {
        ServerConfig config = ServerOptions.parse(List.of(), Map.of("PERPETUA_DATA_DIR", "/srv/a$$b/${sys:user.home}"));

        assertThat(config.dataDirectory()).isEqualTo(Path.of("/srv/a$$b/${sys:user.home}"));
    }

    @Test
    void anOptionGivenTwiceTakesTheLastValue() {
        assertThat(ServerOptions.parse(List.of("--port", "8080", "--port=8081"), Map.of()).port()).isEqualTo(8081);
    }

    @Test
    void durationsTakeUnitsOrPlainSeconds() {
        assertThat(idleTimeout("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(idleTimeout("15")).isEqualTo(Duration.ofSeconds(15));
        assertThat(idleTimeout("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(idleTimeout("2H")).isEqualTo(Duration.ofHours(2));
        assertThat(idleTimeout("1d")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void memoryTakesSizesOrAShareOfTheHost() {
        assertThat(minAvailableMemory("2g")).isEqualTo(2L << 30);
        assertThat(minAvailableMemory("512MiB")).isEqualTo(512L << 20);
        assertThat(minAvailableMemory("64k")).isEqualTo(64L << 10);
        assertThat(minAvailableMemory("0")).isZero();
        assertThat(minAvailableMemory("20%")).isEqualTo(HostMemory.totalBytes() / 100 * 20);
    }

    @Test
    void badValuesAreRejectedNamingTheOptionAndTheValue() {
        assertRejected(List.of("--port", "http"), "--port", "'http' is not a port number from 0 to 65535");
        assertRejected(List.of("--port", "70000"), "--port", "'70000'");
        assertRejected(List.of("--idle-timeout", "-5s"), "--idle-timeout", "'-5s' is not a positive duration");
        assertRejected(List.of("--idle-timeout", "0"), "--idle-timeout", "'0'");
        assertRejected(List.of("--hibernate-after", "soon"), "--hibernate-after", "'soon'");
        assertRejected(List.of("--hibernate-after", "99999999999999999999d"), "--hibernate-after", "'99999999999999999999d'");
        assertRejected(List.of("--tick-interval", "fast"), "--tick-interval", "'fast'");
        assertRejected(List.of("--min-available-memory", "95%"), "--min-available-memory", "'95%'");
        assertRejected(List.of("--min-available-memory", "99999999999t"), "--min-available-memory", "'99999999999t'");
        assertRejected(List.of("--warm-pool", "-1"), "--warm-pool", "'-1' is not a whole number from 0 to 64");
        assertRejected(List.of("--warm-pool", "65"), "--warm-pool", "'65'");
        assertRejected(List.of("--network", "bridge"), "--network", "'bridge' is not sandbox or none");
        assertRejected(List.of("--subnet", "10.0.0.0/8"), "--subnet", "'10.0.0.0/8' is not an IPv4 /16");
        assertRejected(List.of("--project-max-running", "-2"), "--project-max-running", "'-2'");
        assertRejected(List.of("--price-gb-second", "free"), "--price-gb-second", "'free' is not a price");
        assertRejected(List.of("--price-vcpu-second", "-1"), "--price-vcpu-second", "'-1'");
        assertRejected(List.of("--currency", "usd"), "--currency", "'usd' is not a three-letter currency code");
        assertRejected(List.of("--sandbox-domain", "http://x.example.com"), "--sandbox-domain", "'http://x.example.com'");
        assertRejected(List.of("--sandbox-domain", "a b"), "--sandbox-domain", "'a b'");
        assertRejected(List.of("--colour", "blue"), "--colour", "Unknown option");
        assertRejected(List.of("--port"), "--port", "Missing required parameter");
        assertRejected(List.of("7777"), "7777", "Unmatched argument");
    }

    @Test
    void aBadValueFromAVariableIsRejectedNamingItsOption() {
        assertThatThrownBy(() -> ServerOptions.parse(List.of(), Map.of("PERPETUA_WARM_POOL", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value for option '--warm-pool': 'lots' is not a whole number from 0 to 64");
    }

    @Test
    void aFlagWinsOverABadVariable() {
        assertThat(ServerOptions.parse(List.of("--warm-pool", "1"), Map.of("PERPETUA_WARM_POOL", "lots")).warmPool()).isEqualTo(1);
    }

    @Test
    void theAdminKeyComesOnlyFromTheEnvironmentAndNeverShows() {
        String key = "an-operator-chosen-admin-key-1234";
        ServerConfig config = ServerOptions.parse(List.of(), Map.of("PERPETUA_ADMIN_KEY", key));

        assertThat(config.adminKey().value()).isEqualTo(key);
        assertThat(config.toString()).doesNotContain(key);
        assertThat(ServerOptions.parse(List.of(), Map.of()).adminKey()).isNull();
        assertThatThrownBy(() -> ServerOptions.parse(List.of(), Map.of("PERPETUA_ADMIN_KEY", "short")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERPETUA_ADMIN_KEY");
        assertRejected(List.of("--admin-key", key), "--admin-key", "Unknown option");
    }

    @Test
    void theReadmeTableListsEveryOptionWithItsVariableAndDefault() throws IOException {
        List<OptionSpec> options = new CommandLine(new ServerOptions(Map.of())).getCommandSpec().options();
        List<ReadmeOption> documented = ReadmeOption.all(Path.of("..", "README.md"));

        assertThat(documented).extracting(ReadmeOption::flag)
                .containsExactlyInAnyOrderElementsOf(options.stream().map(OptionSpec::longestName).toList());
        for (OptionSpec option : options) {
            ReadmeOption row = documented.stream().filter(d -> d.flag().equals(option.longestName())).findFirst().orElseThrow();
            assertThat(row.variable()).as(row.flag()).isIn(EnvironmentDefaults.variable(option), null);
            assertThat(row.fallback()).as(row.flag()).isIn(documentedDefault(option), null);
        }
    }

    /** A default as the README writes it: {@code ~} for the home directory, {@code none} for no default. */
    private static String documentedDefault(OptionSpec option) {
        String fallback = option.defaultValue();
        return fallback == null ? "none" : fallback.replace(System.getProperty("user.home"), "~");
    }

    /**
     * One flag of the README's table of server options, with its variable and default where the
     * row spells them out for each flag ({@code null} where it abbreviates them).
     */
    private record ReadmeOption(String flag, String variable, String fallback) {

        private static final Pattern ROW = Pattern.compile("^\\| (`--[^|]*) \\| ([^|]*) \\| ([^|]*) \\|", Pattern.MULTILINE);
        private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

        static List<ReadmeOption> all(Path readme) throws IOException {
            String text = Files.readString(readme);
            String table = text.substring(text.indexOf("### Server options"), text.indexOf("## The API"));
            List<ReadmeOption> all = new ArrayList<>();
            Matcher row = ROW.matcher(table);
            while (row.find()) {
                List<String> flags = quoted(row.group(1));
                List<String> variables = quoted(row.group(2));
                List<String> defaults = row.group(3).strip().equals("none") ? List.of("none") : quoted(row.group(3));
                for (int i = 0; i < flags.size(); i++) {
                    all.add(new ReadmeOption(flags.get(i), spelledOut(variables, i, flags.size()), spelledOut(defaults, i, flags.size())));
                }
            }
            return all;
        }

        /**
         * The {@code i}th of {@code count} flags' value in a cell that lists one for each
         * ({@code a, b, c}), one for all, or the first and the last ({@code a … c}).
         */
        private static String spelledOut(List<String> values, int i, int count) {
            if (values.size() == count || values.size() == 1) {
                return values.get(Math.min(i, values.size() - 1));
            }
            return i == 0 ? values.getFirst() : i == count - 1 ? values.getLast() : null;
        }

        private static List<String> quoted(String cell) {
            return QUOTED.matcher(cell).results().map(match -> match.group(1)).toList();
        }
    }

    private static Duration idleTimeout(String text) {
        return ServerOptions.parse(List.of("--idle-timeout", text), Map.of()).idleTimeout();
    }

    private static long minAvailableMemory(String text) {
        return ServerOptions.parse(List.of("--min-available-memory", text), Map.of()).minAvailableMemory();
    }

    private static void assertRejected(List<String> args, String named, String saying) {
        assertThatThrownBy(() -> ServerOptions.parse(args, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named).hasMessageContaining(saying);
    }
}
