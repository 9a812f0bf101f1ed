package io.perpetua.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.access.ApiKey;
import io.perpetua.access.KeyStore.HashedKey;
import io.perpetua.access.ProjectId;
import io.perpetua.error.RuntimeFailureException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyTablesTest {

    private static final Instant T0 = Instant.parse("2026-02-01T08:00:00.000001Z");
    private static final String HASH_A = "a".repeat(64);
    private static final String HASH_B = "b".repeat(64);

    @TempDir
    Path directory;

    private SqliteSandboxStore open() {
        return SqliteSandboxStore.open(directory.resolve("perpetua.db"));
    }

    private static HashedKey key(String id, String project, boolean admin, String hash) {
        return new HashedKey(new ApiKey(id, ProjectId.of(project), "ci runner", admin, T0, null), hash);
    }

    @Test
    void keysSurviveReopeningInTheOrderTheyWereIssued() {
        HashedKey admin = key("akaaaaaaaaaaaaaa", "default", true, HASH_A);
        HashedKey member = key("akbbbbbbbbbbbbbb", "team-blue", false, HASH_B);
        try (SqliteSandboxStore store = open()) {
            store.keys().insert(admin);
            store.keys().insert(member);
        }

        try (SqliteSandboxStore store = open()) {
            assertThat(store.keys().all()).containsExactly(admin, member);
        }
    }

    @Test
    void revokingRecordsTheTimeOnceAndOnlyForAKnownKey() {
        try (SqliteSandboxStore store = open()) {
            store.keys().insert(key("akaaaaaaaaaaaaaa", "default", false, HASH_A));

            assertThat(store.keys().revoke("akaaaaaaaaaaaaaa", T0.plusSeconds(5))).isTrue();
            assertThat(store.keys().revoke("akaaaaaaaaaaaaaa", T0.plusSeconds(9))).as("already revoked").isFalse();
            assertThat(store.keys().revoke("akzzzzzzzzzzzzzz", T0)).isFalse();
            assertThat(store.keys().all().getFirst().key().revokedAt()).isEqualTo(T0.plusSeconds(5));
        }
    }

    @Test
    void twoKeysCannotShareASecret() {
        try (SqliteSandboxStore store = open()) {
            store.keys().insert(key("akaaaaaaaaaaaaaa", "default", false, HASH_A));

            assertThatThrownBy(() -> store.keys().insert(key("akbbbbbbbbbbbbbb", "other", false, HASH_A)))
                    .isInstanceOf(RuntimeFailureException.class).hasMessageContaining("insert API key akbbbbbbbbbbbbbb");
            assertThat(store.keys().all()).hasSize(1);
        }
    }
}
