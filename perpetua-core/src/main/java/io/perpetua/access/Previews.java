package io.perpetua.access;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.id.RandomIds;
import io.perpetua.sandbox.SandboxId;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Makes, opens and revokes previews. A token is 256 random bits, held only as its SHA-256 (as
 * API keys are): opening one is a map lookup, and a revoked one opens nothing from then on.
 */
public final class Previews {

    /** Token of a preview just made: the one time it exists outside its holder. */
    public record IssuedPreview(Preview preview, String token) {
        @Override
        public String toString() {
            return "IssuedPreview[" + preview + ", token=(hidden)]";
        }
    }

    private static final Pattern ID_FORMAT = Pattern.compile("pv[a-z2-7]{14}");

    private final PreviewStore store;
    private final Clock clock;
    private final Map<String, Preview> byHash = new ConcurrentHashMap<>();

    /** Loads every preview of {@code store}. */
    public Previews(PreviewStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        store.all().forEach(preview -> byHash.put(preview.tokenHash(), preview.preview()));
    }

    /** Opens {@code port} of {@code sandbox} to the holder of the returned token. */
    public IssuedPreview create(SandboxId sandbox, int port) {
        String token = RandomIds.secret();
        Preview preview = new Preview(RandomIds.next("pv", 14), sandbox, port, clock.instant(), null);
        String hash = ApiKeys.hash(token);
        store.insert(new PreviewStore.HashedPreview(preview, hash));
        byHash.put(hash, preview);
        return new IssuedPreview(preview, token);
    }

    /** The open preview {@code token} belongs to, if any. */
    public Optional<Preview> open(String token) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(ApiKeys.hash(token))).filter(Preview::active);
    }

    /** Every preview of {@code sandbox}, revoked ones included, oldest first. */
    public List<Preview> list(SandboxId sandbox) {
        return byHash.values().stream().filter(p -> p.sandbox().equals(sandbox))
                .sorted(Comparator.comparing(Preview::createdAt).thenComparing(Preview::id)).toList();
    }

    /**
     * Revokes preview {@code id} of {@code sandbox}: its token opens nothing from now on.
     * Revoking a revoked preview changes nothing.
     *
     * @throws NotFoundException if the sandbox has no such preview
     */
    public synchronized Preview revoke(SandboxId sandbox, String id) {
        InvalidInputException.check(id != null && ID_FORMAT.matcher(id).matches(), "previewId",
                "preview id must be 'pv' followed by 14 characters of [a-z2-7] but was '" + id + "'");
        Preview preview = byHash.values().stream().filter(p -> p.id().equals(id) && p.sandbox().equals(sandbox)).findFirst()
                .orElseThrow(() -> new NotFoundException("preview_not_found", "sandbox " + sandbox + " has no preview '" + id + "'"));
        if (!preview.active()) {
            return preview;
        }
        Preview revoked = preview.revoked(clock.instant());
        store.revoke(id, revoked.revokedAt());
        byHash.replaceAll((hash, p) -> p.id().equals(id) ? revoked : p);
        return revoked;
    }

    /** Revokes every preview of {@code sandbox}, as when it is deleted. */
    public void revokeAll(SandboxId sandbox) {
        list(sandbox).stream().filter(Preview::active).forEach(preview -> revoke(sandbox, preview.id()));
    }
}
