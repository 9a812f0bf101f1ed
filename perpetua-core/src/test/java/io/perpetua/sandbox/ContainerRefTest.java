package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContainerRefTest {

    private static final SandboxId SANDBOX = SandboxId.of("sbq3k7x2mfa4z5hd");

    @Test
    void containerIdIsTheSandboxIdAndEightHexDigits() {
        assertThat(new ContainerRef(SANDBOX, 1).containerId()).isEqualTo("sbq3k7x2mfa4z5hd-00000001");
        assertThat(new ContainerRef(SANDBOX, 26).containerId()).isEqualTo("sbq3k7x2mfa4z5hd-0000001a");
    }

    @Test
    void everyGenerationHasAContainerIdOfTheSameLength() {
        for (int generation : new int[] {1, 2, 15, 16, 255, 4096, 1 << 20, Integer.MAX_VALUE}) {
            assertThat(new ContainerRef(SANDBOX, generation).containerId()).hasSize(SandboxId.LENGTH + 9);
        }
    }

    @Test
    void parseReadsBackWhatContainerIdWrote() {
        for (int generation : new int[] {1, 2, 10, 255, 65536, Integer.MAX_VALUE}) {
            ContainerRef ref = new ContainerRef(SandboxId.random(), generation);

            assertThat(ContainerRef.parse(ref.containerId())).isEqualTo(ref);
        }
    }

    @Test
    void parseRejectsNamesThatAreNotContainerIds() {
        assertThat(ContainerRef.parse(null)).isNull();
        assertThat(ContainerRef.parse("")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-1")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-000000001")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd_00000001")).isNull();
        assertThat(ContainerRef.parse("SBQ3K7X2MFA4Z5HD-00000001")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-0000000g")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-00000000")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-ffffffff")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-80000000")).isNull();
    }

    @Test
    void parseRejectsGenerationsContainerIdWouldNeverWrite() {
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-+0000001")).isNull();
        assertThat(ContainerRef.parse("sbq3k7x2mfa4z5hd-0000000A")).isNull();
    }

    @Test
    void nextIsTheFollowingGenerationOfTheSameSandbox() {
        assertThat(new ContainerRef(SANDBOX, 7).next()).isEqualTo(new ContainerRef(SANDBOX, 8));
    }

    @Test
    void generationStartsAtOne() {
        assertThatThrownBy(() -> new ContainerRef(SANDBOX, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContainerRef(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
