package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.lifecycle.HostMemory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig config = ServerConfig.parse(List.of(), Map.of());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7777);
        assertThat(config.dataDirectory()).isEqualTo(Path.of(System.getProperty("user.home"), ".perpetua"));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.hibernateAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.platform()).isEqualTo("ptrace");
        assertThat(config.warmPool()).isEqualTo(2);
        assertThat(config.minAvailableMemory()).isEqualTo(HostMemory.totalBytes() / 100 * 10);
    }

    @Test
    void flagsWinOverEnvironmentVariablesWhichWinOverDefaults() {
        ServerConfig config = ServerConfig.parse(List.of("--port", "8080", "--idle-timeout=30s"),
                Map.of("PERPETUA_PORT", "9090", "PERPETUA_HIBERNATE_AFTER", "2h", "PERPETUA_PLATFORM", "kvm"));
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.hibernateAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(config.platform()).isEqualTo("kvm");
    }

    @Test
    void durationsTakeUnitsOrPlainSeconds() {
        assertThat(ServerConfig.parseDuration("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(ServerConfig.parseDuration("15", "x")).isEqualTo(Duration.ofSeconds(15));
        assertThat(ServerConfig.parseDuration("10m", "x")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ServerConfig.parseDuration("1d", "x")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void memoryTakesSizesOrAShareOfTheHost() {
        assertThat(ServerConfig.parseMemory("2g", "x")).isEqualTo(2L << 30);
        assertThat(ServerConfig.parseMemory("512MiB", "x")).isEqualTo(512L << 20);
        assertThat(ServerConfig.parseMemory("0", "x")).isZero();
        assertThat(ServerConfig.parseMemory("20%", "x")).isEqualTo(HostMemory.totalBytes() / 100 * 20);
    }

    @Test
    void badValuesAreRejectedNamingTheOption() {
        assertRejected(List.of("--port", "http"), "--port");
        assertRejected(List.of("--port", "70000"), "--port");
        assertRejected(List.of("--idle-timeout", "-5s"), "--idle-timeout");
        assertRejected(List.of("--idle-timeout", "0"), "--idle-timeout");
        assertRejected(List.of("--hibernate-after", "soon"), "--hibernate-after");
        assertRejected(List.of("--min-available-memory", "95%"), "--min-available-memory");
        assertRejected(List.of("--warm-pool", "-1"), "--warm-pool");
        assertRejected(List.of("--colour", "blue"), "--colour");
        assertRejected(List.of("--port"), "--port");
        assertRejected(List.of("7777"), "7777");
    }

    @Test
    void theAdminKeyComesOnlyFromTheEnvironmentAndNeverShows() {
        String key = "an-operator-chosen-admin-key-1234";
        ServerConfig config = ServerConfig.parse(List.of(), Map.of("PERPETUA_ADMIN_KEY", key));

        assertThat(config.adminKey().value()).isEqualTo(key);
        assertThat(config.toString()).doesNotContain(key);
        assertThat(ServerConfig.parse(List.of(), Map.of()).adminKey()).isNull();
        assertThatThrownBy(() -> ServerConfig.parse(List.of(), Map.of("PERPETUA_ADMIN_KEY", "short")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERPETUA_ADMIN_KEY");
        assertRejected(List.of("--admin-key", key), "--admin-key");
    }

    private static void assertRejected(List<String> args, String named) {
        assertThatThrownBy(() -> ServerConfig.parse(args, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
    }
}
