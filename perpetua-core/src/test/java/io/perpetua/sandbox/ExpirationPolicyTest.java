package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The rules of a sandbox's retention as owners write them, and what does not parse. */
class ExpirationPolicyTest {

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "24h, PT24H", "7d, PT168H", "1d12h, PT36H", "1h30m5s, PT1H30M5S"})
    void durationsParse(String value, String expected) {
        assertThat(ExpirationPolicy.parse("ttl-idle", value, "f").after()).isEqualTo(Duration.parse(expected));
    }

    @Test
    void datesParseAsDaysAtMidnightUtcOrWithTheirOffset() {
        assertThat(ExpirationPolicy.parse("date", "2027-01-01", "f").at()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(ExpirationPolicy.parse("date", "2027-01-01T09:00:00+02:00", "f").at()).isEqualTo(Instant.parse("2027-01-01T07:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "m", "30x", "-5m", "0s", "1.5h", "5 m", "99999999999d", "3661d", "1h-1m"})
    void badDurationsAreRefusedNamingTheField(String value) {
        assertThatThrownBy(() -> ExpirationPolicy.parse("ttl-max-age", value, "lifecycle.expirationPolicies[0]"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lifecycle.expirationPolicies[0]");
    }

    @Test
    void badTypesAndDatesAreRefused() {
        assertThatThrownBy(() -> ExpirationPolicy.parse("ttl-forever", "1d", "f")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("ttl-idle, ttl-max-age or date");
        assertThatThrownBy(() -> ExpirationPolicy.parse("date", "tomorrow", "f")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ExpirationPolicy.parse("date", "2027-13-01", "f")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ExpirationPolicy.parse(null, "1d", "f")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aLifecycleTakesOneRuleOfEachTypeAndKeepsThemEncoded() {
        List<ExpirationPolicy> rules = List.of(ExpirationPolicy.parse("ttl-idle", "30m", "f"), ExpirationPolicy.parse("date", "2027-01-01", "f"));
        Lifecycle lifecycle = new Lifecycle(Lifecycle.OnIdle.DELETE, rules);
        assertThat(Lifecycle.decodePolicies(lifecycle.encodedPolicies())).isEqualTo(rules);
        assertThatThrownBy(() -> new Lifecycle(null, List.of(rules.getFirst(), ExpirationPolicy.parse("ttl-idle", "1h", "f"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("two ttl-idle rules");
        assertThatThrownBy(() -> Lifecycle.OnIdle.parse("sleep", "lifecycle.onIdle")).hasMessageContaining("standby, none or delete");
    }
}
