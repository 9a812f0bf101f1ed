package io.perpetua.server.e2b;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.id.RandomIds;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The access tokens of each sandbox: to its envd endpoint (E2B's {@code envdAccessToken}, sent
 * back as {@code X-Access-Token}) and to its ports by host name (E2B's
 * {@code trafficAccessToken}, sent back as {@code e2b-traffic-access-token}). Each is an HMAC of
 * the sandbox's id and the token's purpose under a secret of this daemon, so it is the same at
 * every create and connect, differs for every sandbox and purpose, and is stored nowhere. The
 * secret lives in a file of the data directory that only root may read.
 */
final class SandboxTokens {

    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] secret;

    private SandboxTokens(byte[] secret) {
        this.secret = secret;
    }

    /** The tokens under the secret in {@code file}, which is made (readable by its owner alone) if missing. */
    static SandboxTokens loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            return new SandboxTokens(Files.readString(file, StandardCharsets.US_ASCII).strip().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read or make the E2B token secret " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path draft = file.resolveSibling(file.getFileName() + ".draft");
        Files.deleteIfExists(draft);
        Files.createFile(draft, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(draft, RandomIds.secret(), StandardCharsets.US_ASCII);
        try {
            Files.move(draft, file);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(draft);
        }
    }

    /** The envd token of sandbox {@code id}. */
    String envd(SandboxId id) {
        return token("envd", id);
    }

    /** Whether {@code token} is sandbox {@code id}'s envd token. */
    boolean envdMatches(SandboxId id, String token) {
        return same(envd(id), token);
    }

    /** The traffic token of sandbox {@code id}. */
    String traffic(SandboxId id) {
        return token("traffic", id);
    }

    /** Whether {@code token} is sandbox {@code id}'s traffic token. */
    boolean trafficMatches(SandboxId id, String token) {
        return same(traffic(id), token);
    }

    private String token(String purpose, SandboxId id) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            byte[] digest = mac.doFinal((purpose + ":" + id.value()).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }

    /** Compared in constant time. */
    private static boolean same(String expected, String token) {
        return token != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
    }
}
