package io.perpetua.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The certificate and private key the API serves HTTPS with, read from PEM files as an operator
 * gets them from a CA or {@code openssl}: the certificate chain (leaf first) and an unencrypted
 * PKCS#8 key. Everything is checked at start-up, so a wrong file stops the daemon with a message
 * naming it, not the first client's handshake.
 *
 * @param certificate the PEM file of the certificate chain
 * @param keyStore    chain and key, in memory only, under {@link #ALIAS} with {@link #PASSWORD}
 */
public record TlsIdentity(Path certificate, KeyStore keyStore) {

    static final String ALIAS = "perpetua";
    /** The in-memory key store needs a password; it never leaves this process. */
    static final char[] PASSWORD = "perpetua".toCharArray();

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    /**
     * Reads and checks the pair.
     *
     * @throws IllegalArgumentException naming the flag and the file when either cannot be used
     */
    public static TlsIdentity load(Path certificate, Path key) {
        List<X509Certificate> chain = certificates(certificate);
        PrivateKey privateKey = privateKey(key);
        if (!matches(privateKey, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException("--tls-key " + key + " is not the key of the certificate in --tls-cert " + certificate);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, PASSWORD, chain.toArray(Certificate[]::new));
            return new TlsIdentity(certificate, store);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--tls-cert " + certificate + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        String text = read(file, "--tls-cert");
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--tls-cert " + file + " holds no certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--tls-cert " + file + " is not a PEM certificate (chain): " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text = read(file, "--tls-key");
        Matcher pem = PEM.matcher(text);
        while (pem.find()) {
            String type = pem.group(1);
            if (type.equals("PRIVATE KEY")) {
                return decode(Base64.getMimeDecoder().decode(pem.group(2)), file);
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw new IllegalArgumentException("--tls-key " + file + " is a " + type + "; give an unencrypted PKCS#8 key"
                        + " (BEGIN PRIVATE KEY), for example: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
            }
        }
        throw new IllegalArgumentException("--tls-key " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey decode(byte[] pkcs8, Path file) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // try the next algorithm: PKCS#8 names it inside, but the JDK wants it up front
            }
        }
        throw new IllegalArgumentException("--tls-key " + file + " is not an RSA, EC or EdDSA key this JDK can read");
    }

    /** Whether {@code key} signs what {@code publicKey} verifies: a wrong pair fails here, not at a handshake. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "perpetua".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signer.sign());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(Path file, String flag) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + file + " cannot be read: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate + "]";
    }
}
