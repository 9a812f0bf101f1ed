package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void aSpecRejectsAMemoryLimitThatIsNotPositiveNamingTheValue() {
        assertThatThrownBy(() -> SandboxSpec.builder().memoryMb(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memoryMb must be positive but was 0");
    }

    @Test
    void aSpecTakesDurationsOnlyInWholePositiveSeconds() {
        assertThatThrownBy(() -> SandboxSpec.builder().idleTimeout(Duration.ofMillis(1500)).build())
                .hasMessage("idleTimeout must be a positive whole number of seconds but was PT1.5S");
        assertThatThrownBy(() -> SandboxSpec.builder().hibernateAfter(Duration.ofSeconds(-1)).build())
                .hasMessage("hibernateAfter must be a positive whole number of seconds but was PT-1S");
    }

    @Test
    void aCommandMustNameAProgramAndHoldNoNulls() {
        assertThatThrownBy(ExecCommand::of).hasMessage("cmd must name a program but was []");
        assertThatThrownBy(() -> ProcessCommand.of("ls", null)).hasMessage("cmd[1] must not be null but was in [ls, null]");
    }

    @Test
    void aSpecCanBeRebuiltWithAChange() {
        SandboxSpec spec = SandboxSpec.builder().template("python").label("a", "1").build();

        SandboxSpec changed = spec.toBuilder().cpus(2.0).build();

        assertThat(changed).isEqualTo(new SandboxSpec("python", null, null, null, java.util.Map.of("a", "1"), null, 2.0, null, null, null, null, null, null));
    }
}
