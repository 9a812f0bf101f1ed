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
 * The access token of each sandbox's envd endpoint (E2B's {@code envdAccessToken}, sent back
 * as {@code X-Access-Token}): an HMAC of the sandbox's id under a secret of this daemon, so it
 * is the same at every create and connect, differs for every sandbox, and is stored nowhere.
 * The secret lives in a file of the data directory that only root may read.
 */
final class EnvdTokens {

    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] secret;

    private EnvdTokens(byte[] secret) {
        this.secret = secret;
    }

    /** The tokens under the secret in {@code file}, which is made (readable by its owner alone) if missing. */
    static EnvdTokens loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            return new EnvdTokens(Files.readString(file, StandardCharsets.US_ASCII).strip().getBytes(StandardCharsets.US_ASCII));
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

    /** The token of sandbox {@code id}. */
    String of(SandboxId id) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            byte[] digest = mac.doFinal(("envd:" + id.value()).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }

    /** Whether {@code token} is sandbox {@code id}'s, compared in constant time. */
    boolean matches(SandboxId id, String token) {
        return token != null && MessageDigest.isEqual(of(id).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
    }
}
