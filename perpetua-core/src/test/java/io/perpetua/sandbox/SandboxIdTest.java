package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxIdTest {

    @Test
    void randomIdsAreWellFormedOfFixedLengthAndDistinct() {
        Set<SandboxId> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            SandboxId id = SandboxId.random();
            assertThat(id.value()).hasSize(SandboxId.LENGTH).matches("sb[a-z2-7]{14}");
            assertThat(SandboxId.isValid(id.value())).isTrue();
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void ofAcceptsAWellFormedIdAndPrintsIt() {
        SandboxId id = SandboxId.of("sbq3k7x2mfa4z5hd");

        assertThat(id.toString()).isEqualTo("sbq3k7x2mfa4z5hd");
        assertThat(id).isEqualTo(new SandboxId("sbq3k7x2mfa4z5hd"));
    }

    @Test
    void malformedIdsAreRejectedAsTheIdField() {
        for (String bad : new String[] {"", "sb", "sbq3k7x2mfa4z5h", "sbq3k7x2mfa4z5hdx", "SBQ3K7X2MFA4Z5HD", "sbq3k7x2mfa4z5h1",
                "xxq3k7x2mfa4z5hd", "sbq3k7x2mfa4z5h-"}) {
            assertThat(SandboxId.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> SandboxId.of(bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"));
        }
    }

    @Test
    void nullIsNotAnId() {
        assertThat(SandboxId.isValid(null)).isFalse();
        assertThatThrownBy(() -> SandboxId.of(null)).isInstanceOf(InvalidInputException.class);
    }
}
