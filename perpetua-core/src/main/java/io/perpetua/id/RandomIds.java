package io.perpetua.id;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Random identifiers: a prefix naming the kind of thing ({@code sb} a sandbox, {@code sn} a
 * snapshot, {@code pr} a process, {@code ak} an API key, {@code pv} a preview) followed by
 * characters of lowercase base 32 ({@code a-z2-7}), five random bits each, from a
 * {@link SecureRandom}. Such ids go into paths, container names and URLs as they are. Also the
 * secrets that go with some of them: API keys and preview tokens.
 */
public final class RandomIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomIds() {
    }

    /**
     * A fresh id: {@code prefix} followed by {@code randomCharacters} random characters of
     * {@code [a-z2-7]}, such as {@code sbq3k7x2mfa4z5hd} for {@code next("sb", 14)}.
     *
     * @throws IllegalArgumentException if {@code randomCharacters} is not positive
     */
    public static String next(String prefix, int randomCharacters) {
        Objects.requireNonNull(prefix, "prefix");
        if (randomCharacters < 1) {
            throw new IllegalArgumentException("randomCharacters must be positive but was " + randomCharacters);
        }
        StringBuilder id = new StringBuilder(prefix.length() + randomCharacters).append(prefix);
        for (int i = 0; i < randomCharacters; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    /**
     * A fresh secret: 256 random bits in URL-safe base 64 without padding (43 characters), too
     * many to guess, for a bearer token such as an API key or a preview URL's token.
     */
    public static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
