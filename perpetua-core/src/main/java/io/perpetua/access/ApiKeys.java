package io.perpetua.access;

import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.NotFoundException;
import io.perpetua.error.UnauthenticatedException;
import io.perpetua.id.RandomIds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Issues, checks and revokes API keys. Secrets are 256 random bits, so a plain SHA-256 of one is
 * as hard to reverse as guessing it: no slow hash is needed, and checking a key on every request
 * is a map lookup. Every key is held in memory, indexed by that hash; the store is written first.
 */
public final class ApiKeys {

    private static final String SECRET_PREFIX = "pk_";
    private static final Pattern ID_FORMAT = Pattern.compile("ak[a-z2-7]{14}");
    private static final Pattern FIXED_SECRET = Pattern.compile("[A-Za-z0-9._~+/=-]{24,256}");
    private static final int MAX_NAME_LENGTH = 100;

    private final KeyStore store;
    private final Clock clock;
    private final Map<String, ApiKey> byHash = new ConcurrentHashMap<>();

    /** Loads every key of {@code store}. */
    public ApiKeys(KeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        for (KeyStore.HashedKey key : store.all()) {
            byHash.put(key.secretHash(), key.key());
        }
    }

    /**
     * Makes sure an admin key exists. At the first start (no valid admin key) it issues one in
     * the default project: with {@code fixedSecret} as its secret when given (an operator's or a
     * test's choice), else a random one the caller must show once, as it is never stored.
     *
     * @return the key issued now, if one was
     * @throws InvalidInputException if {@code fixedSecret} is too short or has odd characters
     */
    public synchronized Optional<IssuedKey> ensureAdmin(Optional<String> fixedSecret) {
        fixedSecret.ifPresent(secret -> InvalidInputException.check(FIXED_SECRET.matcher(secret).matches(), "PERPETUA_ADMIN_KEY",
                "the admin key must be 24-256 characters of [A-Za-z0-9._~+/=-]"));
        if (byHash.values().stream().anyMatch(key -> key.admin() && key.active())) {
            return Optional.empty();
        }
        return Optional.of(issue(ProjectId.DEFAULT, "admin", true, fixedSecret.orElseGet(ApiKeys::newSecret)));
    }

    /**
     * Issues a key for {@code project}.
     *
     * @param name  what the owner calls it; may be empty
     * @param admin whether it may manage keys
     */
    public synchronized IssuedKey issue(ProjectId project, String name, boolean admin) {
        return issue(project, name, admin, newSecret());
    }

    private IssuedKey issue(ProjectId project, String name, boolean admin, String secret) {
        String label = name == null ? "" : name.strip();
        InvalidInputException.check(label.length() <= MAX_NAME_LENGTH && label.chars().noneMatch(Character::isISOControl), "name",
                "name must be at most " + MAX_NAME_LENGTH + " characters without control characters");
        String hash = hash(secret);
        ApiKey key = new ApiKey(RandomIds.next("ak", 14), project, label, admin, clock.instant(), null);
        store.insert(new KeyStore.HashedKey(key, hash));
        byHash.put(hash, key);
        return new IssuedKey(key, secret);
    }

    /**
     * The valid key whose secret is {@code secret}.
     *
     * @throws UnauthenticatedException if it is missing, unknown or revoked; the message never echoes it
     */
    public ApiKey authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new UnauthenticatedException("this call needs an API key: send the header 'Authorization: Bearer <key>'");
        }
        ApiKey key = byHash.get(hash(secret.strip()));
        if (key == null) {
            throw new UnauthenticatedException("the API key is not known to this daemon");
        }
        if (!key.active()) {
            throw new UnauthenticatedException("API key " + key.id() + " was revoked at " + key.revokedAt());
        }
        return key;
    }

    /**
     * Revokes key {@code id}: requests with it fail from now on. Revoking a revoked key changes nothing.
     *
     * @throws NotFoundException if there is no such key
     * @throws ConflictException if it is the last valid admin key, which would lock every operator out
     */
    public synchronized ApiKey revoke(String id) {
        ApiKey key = find(id);
        if (!key.active()) {
            return key;
        }
        boolean lastAdmin = key.admin() && byHash.values().stream().filter(k -> k.admin() && k.active()).count() == 1;
        if (lastAdmin) {
            throw new ConflictException("last_admin_key", "key " + id + " is the last valid admin key; issue another admin key before revoking it");
        }
        ApiKey revoked = key.revoked(clock.instant());
        store.revoke(id, revoked.revokedAt());
        byHash.replaceAll((hash, k) -> k.id().equals(id) ? revoked : k);
        return revoked;
    }

    /** Every key ever issued, revoked ones included, oldest first. */
    public List<ApiKey> list() {
        return byHash.values().stream().sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id)).toList();
    }

    private ApiKey find(String id) {
        InvalidInputException.check(id != null && ID_FORMAT.matcher(id).matches(), "id",
                "key id must be 'ak' followed by 14 characters of [a-z2-7] but was '" + id + "'");
        return byHash.values().stream().filter(key -> key.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("key_not_found", "no API key with id '" + id + "'"));
    }

    private static String newSecret() {
        return SECRET_PREFIX + RandomIds.secret();
    }

    static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
