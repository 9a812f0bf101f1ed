package io.perpetua.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates and keys for the HTTPS tests, made by {@code openssl} as an operator would make them. */
final class TestCertificates {

    private TestCertificates() {
    }

    /** A pair made by {@code openssl req -x509}: the certificate and its PKCS#8 key. */
    record Pair(Path certificate, Path key) {
    }

    /** A self-signed certificate for 127.0.0.1 and localhost with a new key of {@code keyType} (rsa:2048, ec). */
    static Pair selfSigned(Path directory, String name, String keyType) {
        Pair pair = new Pair(directory.resolve(name + "-cert.pem"), directory.resolve(name + "-key.pem"));
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", keyType));
        if (keyType.equals("ec")) {
            command.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
        }
        command.addAll(List.of("-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", pair.key().toString(), "-out", pair.certificate().toString()));
        run(command);
        return pair;
    }

    /** An RSA key in the old PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}). */
    static Path traditionalRsaKey(Path directory) {
        Path key = directory.resolve("traditional-key.pem");
        run(List.of("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048"));
        return key;
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
