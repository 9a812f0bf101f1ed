package io.perpetua.access;

import java.util.Objects;

/**
 * A key just issued, with its secret: the only moment the secret exists outside its holder.
 *
 * @param key    the key's public part
 * @param secret what the holder sends as {@code Authorization: Bearer <secret>}
 */
public record IssuedKey(ApiKey key, String secret) {

    /** Checks that both parts are present. */
    public IssuedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "IssuedKey[" + key + ", secret=(hidden)]";
    }
}
