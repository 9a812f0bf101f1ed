package io.perpetua.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void anIdIsThePrefixFollowedByTheGivenNumberOfBase32Characters() {
        assertThat(RandomIds.next("sb", 14)).hasSize(16).matches("sb[a-z2-7]{14}");
        assertThat(RandomIds.next("", 3)).matches("[a-z2-7]{3}");
    }

    @Test
    void idsAreDistinctAndUseTheWholeAlphabet() {
        Set<String> ids = new HashSet<>();
        Set<Character> characters = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = RandomIds.next("pv", 14);
            ids.add(id);
            id.substring(2).chars().forEach(c -> characters.add((char) c));
        }
        assertThat(ids).hasSize(1000);
        assertThat(characters).hasSize(32);
    }

    @Test
    void aLengthBelowOneIsRejectedNamingTheBadValue() {
        assertThatThrownBy(() -> RandomIds.next("sb", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("randomCharacters must be positive but was 0");
    }

    @Test
    void aSecretIs256BitsOfUrlSafeBase64AndNeverTheSameTwice() {
        String secret = RandomIds.secret();

        assertThat(secret).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
        assertThat(RandomIds.secret()).isNotEqualTo(secret);
    }
}
