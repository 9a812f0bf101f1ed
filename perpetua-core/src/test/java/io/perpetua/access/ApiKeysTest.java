package io.perpetua.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.UnauthenticatedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String FIXED = "test-admin-key-0123456789abcdef";

    /** Keeps keys in a list; the SQLite store is tested on its own. */
    private static final class ListKeyStore implements KeyStore {
        final List<HashedKey> keys = new ArrayList<>();

        @Override
        public void insert(HashedKey key) {
            keys.add(key);
        }

        @Override
        public boolean revoke(String id, Instant at) {
            keys.replaceAll(k -> k.key().id().equals(id) ? new HashedKey(k.key().revoked(at), k.secretHash()) : k);
            return true;
        }

        @Override
        public List<HashedKey> all() {
            return List.copyOf(keys);
        }
    }

    private final ListKeyStore store = new ListKeyStore();
    private final ApiKeys keys = new ApiKeys(store, CLOCK);

    @Test
    void theFirstStartIssuesOneRandomAdminKeyInTheDefaultProjectAndStoresOnlyItsHash() {
        IssuedKey admin = keys.ensureAdmin(Optional.empty()).orElseThrow();

        assertThat(admin.key().admin()).isTrue();
        assertThat(admin.key().project()).isEqualTo(ProjectId.DEFAULT);
        assertThat(admin.secret()).startsWith("pk_").hasSizeGreaterThan(40);
        assertThat(store.keys).singleElement().satisfies(stored -> {
            assertThat(stored.secretHash()).hasSize(64).doesNotContain(admin.secret());
            assertThat(stored.key()).isEqualTo(admin.key());
        });
        assertThat(keys.ensureAdmin(Optional.empty())).as("later starts issue nothing").isEmpty();
        assertThat(admin.toString()).doesNotContain(admin.secret());
    }

    @Test
    void anOperatorCanFixTheAdminKeyAtTheFirstStart() {
        keys.ensureAdmin(Optional.of(FIXED));

        assertThat(keys.authenticate(FIXED).admin()).isTrue();
        assertThatThrownBy(() -> new ApiKeys(new ListKeyStore(), CLOCK).ensureAdmin(Optional.of("short")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("24-256");
    }

    @Test
    void keysAreLoadedFromTheStoreAtStart() {
        IssuedKey issued = keys.issue(ProjectId.of("blue"), "ci", false);

        ApiKeys restarted = new ApiKeys(store, CLOCK);

        assertThat(restarted.authenticate(issued.secret())).isEqualTo(issued.key());
    }

    @Test
    void aMissingUnknownOrRevokedKeyIsRefusedWithoutEchoingIt() {
        keys.ensureAdmin(Optional.of(FIXED));
        IssuedKey member = keys.issue(ProjectId.of("blue"), "ci", false);
        keys.revoke(member.key().id());

        assertThatThrownBy(() -> keys.authenticate(null)).isInstanceOf(UnauthenticatedException.class).hasMessageContaining("Bearer");
        assertThatThrownBy(() -> keys.authenticate("pk_guess")).isInstanceOf(UnauthenticatedException.class)
                .hasMessageNotContaining("pk_guess");
        assertThatThrownBy(() -> keys.authenticate(member.secret())).isInstanceOf(UnauthenticatedException.class)
                .hasMessageContaining("revoked").hasMessageNotContaining(member.secret());
        assertThat(new ApiKeys(store, CLOCK).list()).filteredOn(k -> !k.active()).hasSize(1);
    }

    @Test
    void theLastValidAdminKeyCannotBeRevoked() {
        IssuedKey first = keys.ensureAdmin(Optional.of(FIXED)).orElseThrow();

        assertThatThrownBy(() -> keys.revoke(first.key().id())).isInstanceOf(ConflictException.class).hasMessageContaining("last valid admin key");

        IssuedKey second = keys.issue(ProjectId.DEFAULT, "second admin", true);
        keys.revoke(first.key().id());
        assertThat(keys.authenticate(second.secret()).admin()).isTrue();
    }

    @Test
    void revokingNeedsAWellFormedKnownId() {
        assertThatThrownBy(() -> keys.revoke("../etc")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> keys.revoke("akzzzzzzzzzzzzzz")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void namesAreBoundedAndPrintable() {
        assertThatThrownBy(() -> keys.issue(ProjectId.DEFAULT, "a\u0000b", false)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> keys.issue(ProjectId.DEFAULT, "x".repeat(101), false)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ProjectId.of("Bad_Project")).isInstanceOf(InvalidInputException.class);
    }
}
