package io.perpetua.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** The daemon's secret for preview tokens: 32 random bytes in {@code preview.key}, readable by root only. */
final class PreviewSecret {

    private PreviewSecret() {
    }

    static byte[] load(Path dataDirectory) {
        Path file = dataDirectory.resolve("preview.key");
        try {
            if (Files.exists(file)) {
                return Files.readAllBytes(file);
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(dataDirectory);
            Files.write(file, secret, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the preview secret " + file, e);
        }
    }
}
