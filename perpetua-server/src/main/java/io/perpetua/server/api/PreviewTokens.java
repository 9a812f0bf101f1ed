package io.perpetua.server.api;

import io.perpetua.sandbox.SandboxId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Preview tokens: {@code <sandbox id>-<port>-<MAC>}, the MAC made with the daemon's secret, so a
 * token cannot be guessed or altered, and needs no storage (it survives restarts).
 */
public final class PreviewTokens {

    private static final Pattern TOKEN = Pattern.compile("(sb[a-z2-7]{14})-(\\d{1,5})-([A-Za-z0-9_-]{43})");

    private final byte[] secret;

    /** @param secret the daemon's preview secret, at least 32 random bytes kept in its data directory */
    public PreviewTokens(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the preview secret must have at least 32 bytes but has " + secret.length);
        }
        this.secret = secret.clone();
    }

    /** A record of what a token opens. */
    record Target(SandboxId sandbox, int port) {
    }

    String token(SandboxId sandbox, int port) {
        return sandbox.value() + "-" + port + "-" + mac(sandbox, port);
    }

    /** What {@code token} opens, if it is genuine. */
    Optional<Target> open(String token) {
        Matcher matcher = TOKEN.matcher(token == null ? "" : token);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        SandboxId sandbox = SandboxId.of(matcher.group(1));
        int port = Integer.parseInt(matcher.group(2));
        byte[] expected = mac(sandbox, port).getBytes(StandardCharsets.US_ASCII);
        boolean genuine = MessageDigest.isEqual(expected, matcher.group(3).getBytes(StandardCharsets.US_ASCII));
        return genuine && port >= 1 && port <= 65535 ? Optional.of(new Target(sandbox, port)) : Optional.empty();
    }

    private String mac(SandboxId sandbox, int port) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((sandbox.value() + ":" + port).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
