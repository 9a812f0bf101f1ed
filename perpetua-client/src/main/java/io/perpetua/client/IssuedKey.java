package io.perpetua.client;

/**
 * A key just issued: the one time its secret is shown. Keep it; the daemon stores only a hash.
 *
 * @param info   the key's public part
 * @param secret what to send as {@code Authorization: Bearer <secret>}, or to set as {@value Perpetua#API_KEY_VARIABLE}
 */
public record IssuedKey(KeyInfo info, String secret) {

    static IssuedKey from(JsonObject json) {
        return new IssuedKey(KeyInfo.from(json), json.string("key"));
    }

    @Override
    public String toString() {
        return "IssuedKey[" + info + ", secret=(hidden)]";
    }
}
