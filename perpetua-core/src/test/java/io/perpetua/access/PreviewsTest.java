package io.perpetua.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.sandbox.SandboxId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    /** Keeps previews in a list; the SQLite store is exercised by the daemon's tests. */
    private static final class ListPreviewStore implements PreviewStore {
        final List<HashedPreview> previews = new ArrayList<>();

        @Override
        public void insert(HashedPreview preview) {
            previews.add(preview);
        }

        @Override
        public boolean revoke(String id, Instant at) {
            previews.replaceAll(p -> p.preview().id().equals(id) ? new HashedPreview(p.preview().revoked(at), p.tokenHash()) : p);
            return true;
        }

        @Override
        public List<HashedPreview> all() {
            return List.copyOf(previews);
        }
    }

    private final ListPreviewStore store = new ListPreviewStore();
    private final Previews previews = new Previews(store, CLOCK);
    private final SandboxId sandbox = SandboxId.random();

    @Test
    void aTokenOpensItsPortUntilRevokedAndOnlyItsHashIsStored() {
        Previews.IssuedPreview issued = previews.create(sandbox, 8080);

        assertThat(previews.open(issued.token())).contains(issued.preview());
        assertThat(store.previews.getFirst().tokenHash()).hasSize(64).doesNotContain(issued.token());
        assertThat(issued.toString()).doesNotContain(issued.token());

        previews.revoke(sandbox, issued.preview().id());

        assertThat(previews.open(issued.token())).isEmpty();
        assertThat(new Previews(store, CLOCK).open(issued.token())).as("after a restart too").isEmpty();
    }

    @Test
    void aPreviewIsRevokedOnlyThroughItsOwnSandbox() {
        Previews.IssuedPreview issued = previews.create(sandbox, 8080);

        assertThatThrownBy(() -> previews.revoke(SandboxId.random(), issued.preview().id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> previews.revoke(sandbox, "../x")).isInstanceOf(InvalidInputException.class);
        assertThat(previews.open(issued.token())).isPresent();
        assertThat(previews.open("")).isEmpty();
        assertThat(previews.open("x".repeat(10_000))).isEmpty();
    }

    @Test
    void revokingAllOfASandboxLeavesOthersOpen() {
        Previews.IssuedPreview mine = previews.create(sandbox, 1);
        Previews.IssuedPreview other = previews.create(SandboxId.random(), 2);

        previews.revokeAll(sandbox);

        assertThat(previews.open(mine.token())).isEmpty();
        assertThat(previews.open(other.token())).isPresent();
        assertThat(previews.list(sandbox)).singleElement().satisfies(p -> assertThat(p.active()).isFalse());
    }
}
