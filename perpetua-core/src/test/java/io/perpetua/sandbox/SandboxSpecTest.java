package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SandboxSpecTest {

    private static final Duration IDLE = Duration.ofSeconds(15);
    private static final Duration HIBERNATE = Duration.ofMinutes(10);

    private static void assertRejected(String field, ThrowingCallable construction) {
        assertThatThrownBy(construction).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.code()).isEqualTo("invalid_input");
        });
    }

    private static SandboxSpec withEnv(Map<String, String> env) {
        return new SandboxSpec(null, null, null, env, null, null, null);
    }

    private static SandboxSpec withLabels(Map<String, String> labels) {
        return new SandboxSpec(null, null, null, null, labels, null, null);
    }

    @Test
    void aCompleteSpecIsKeptAsGiven() {
        SandboxSpec spec = new SandboxSpec("python-3.12", IDLE, HIBERNATE, Map.of("PATH", "/bin"), Map.of("team", "search"), 512, 0.5);

        assertThat(spec.template()).isEqualTo("python-3.12");
        assertThat(spec.env()).containsExactly(Map.entry("PATH", "/bin"));
        assertThat(spec.labels()).containsExactly(Map.entry("team", "search"));
    }

    @Test
    void absentEnvAndLabelsBecomeEmpty() {
        SandboxSpec spec = SandboxSpec.defaults();

        assertThat(spec.env()).isEmpty();
        assertThat(spec.labels()).isEmpty();
        assertThat(spec.idleTimeout()).isNull();
    }

    @Test
    void envAndLabelsAreCopied() {
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        SandboxSpec spec = withEnv(env);

        env.put("B", "2");

        assertThat(spec.env()).containsOnlyKeys("A");
    }

    @Test
    void withDefaultsFillsOnlyWhatIsAbsent() {
        SandboxSpec defaults = new SandboxSpec("default", IDLE, HIBERNATE, null, null, 1024, 1.0);

        SandboxSpec filled = new SandboxSpec(null, Duration.ofSeconds(5), null, Map.of("A", "1"), null, null, 2.0).withDefaults(defaults);

        assertThat(filled).isEqualTo(new SandboxSpec("default", Duration.ofSeconds(5), HIBERNATE, Map.of("A", "1"), null, 1024, 2.0));
    }

    @Test
    void templateMustBeAName() {
        assertRejected("template", () -> new SandboxSpec("", null, null, null, null, null, null));
        assertRejected("template", () -> new SandboxSpec("Python", null, null, null, null, null, null));
        assertRejected("template", () -> new SandboxSpec("../etc", null, null, null, null, null, null));
        assertRejected("template", () -> new SandboxSpec("a".repeat(64), null, null, null, null, null, null));
    }

    @Test
    void idleTimeoutMustBePositiveAndAtMostAYear() {
        assertRejected("idleTimeoutSeconds", () -> new SandboxSpec(null, Duration.ofSeconds(-1), null, null, null, null, null));
        assertRejected("idleTimeoutSeconds", () -> new SandboxSpec(null, Duration.ZERO, null, null, null, null, null));
        assertRejected("idleTimeoutSeconds", () -> new SandboxSpec(null, SandboxSpec.MAX_DURATION.plusSeconds(1), null, null, null, null, null));
        assertThat(new SandboxSpec(null, SandboxSpec.MAX_DURATION, null, null, null, null, null).idleTimeout()).isEqualTo(SandboxSpec.MAX_DURATION);
    }

    @Test
    void hibernateAfterMustBePositiveAndAtMostAYear() {
        assertRejected("hibernateAfterSeconds", () -> new SandboxSpec(null, null, Duration.ofSeconds(-5), null, null, null, null));
        assertRejected("hibernateAfterSeconds", () -> new SandboxSpec(null, null, Duration.ZERO, null, null, null, null));
        assertRejected("hibernateAfterSeconds", () -> new SandboxSpec(null, null, Duration.ofDays(367), null, null, null, null));
    }

    @Test
    void envNamesMustBeShellNames() {
        assertRejected("env", () -> withEnv(Map.of("1ABC", "x")));
        assertRejected("env", () -> withEnv(Map.of("A-B", "x")));
        assertRejected("env", () -> withEnv(Map.of("", "x")));
        assertRejected("env", () -> withEnv(Map.of("A".repeat(129), "x")));
    }

    @Test
    void envValuesAreNamedByTheirVariable() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("HOME", null);

        assertRejected("env.HOME", () -> withEnv(nullValue));
        assertRejected("env.HOME", () -> withEnv(Map.of("HOME", "a\0b")));
        assertRejected("env.HOME", () -> withEnv(Map.of("HOME", "x".repeat(32 * 1024 + 1))));
    }

    @Test
    void envMayHoldAtMost256Variables() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < 257; i++) {
            env.put("V" + i, "x");
        }

        assertRejected("env", () -> withEnv(env));
    }

    @Test
    void labelKeysAndValuesAreChecked() {
        assertRejected("labels", () -> withLabels(Map.of("-team", "x")));
        assertRejected("labels", () -> withLabels(Map.of("team-", "x")));
        assertRejected("labels", () -> withLabels(Map.of("a".repeat(64), "x")));
        assertRejected("labels.team", () -> withLabels(Map.of("team", "x".repeat(256))));
        assertThat(withLabels(Map.of("app/name.v2", "ok")).labels()).containsKey("app/name.v2");
    }

    @Test
    void memoryMustBeWithinLimits() {
        assertRejected("memoryMb", () -> new SandboxSpec(null, null, null, null, null, SandboxSpec.MIN_MEMORY_MB - 1, null));
        assertRejected("memoryMb", () -> new SandboxSpec(null, null, null, null, null, SandboxSpec.MAX_MEMORY_MB + 1, null));
        assertThat(new SandboxSpec(null, null, null, null, null, SandboxSpec.MIN_MEMORY_MB, null).memoryMb()).isEqualTo(64);
    }

    @Test
    void cpusMustBeWithinLimits() {
        assertRejected("cpus", () -> new SandboxSpec(null, null, null, null, null, null, 0.05));
        assertRejected("cpus", () -> new SandboxSpec(null, null, null, null, null, null, 257.0));
        assertRejected("cpus", () -> new SandboxSpec(null, null, null, null, null, null, Double.NaN));
    }
}
