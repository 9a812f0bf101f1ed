package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's HTTPS certificate and key, read from PEM files made by openssl. */
class TlsIdentityTest {

    @TempDir
    Path directory;

    @Test
    void readsRsaAndEcPairsAsOpensslWritesThem() throws Exception {
        for (String keyType : List.of("rsa:2048", "ec")) {
            TestCertificates.Pair pair = TestCertificates.selfSigned(directory, keyType.replace(':', '-'), keyType);
            TlsIdentity identity = TlsIdentity.load(pair.certificate(), pair.key());
            X509Certificate certificate = (X509Certificate) identity.keyStore().getCertificate(TlsIdentity.ALIAS);
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            assertThat(identity.keyStore().getKey(TlsIdentity.ALIAS, TlsIdentity.PASSWORD).getAlgorithm())
                    .isEqualTo(keyType.startsWith("rsa") ? "RSA" : "EC");
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStart() {
        TestCertificates.Pair one = TestCertificates.selfSigned(directory, "one", "ec");
        TestCertificates.Pair other = TestCertificates.selfSigned(directory, "other", "ec");
        assertThatThrownBy(() -> TlsIdentity.load(one.certificate(), other.key()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-key " + other.key() + " is not the key of the certificate");
    }

    @Test
    void anOldFormKeyIsRefusedWithTheCommandThatConvertsIt() {
        TestCertificates.Pair pair = TestCertificates.selfSigned(directory, "rsa", "rsa:2048");
        Path traditional = TestCertificates.traditionalRsaKey(directory);
        assertThatThrownBy(() -> TlsIdentity.load(pair.certificate(), traditional))
                .hasMessageContaining("RSA PRIVATE KEY")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void filesThatAreNotPemAreNamed() throws Exception {
        TestCertificates.Pair pair = TestCertificates.selfSigned(directory, "rsa", "rsa:2048");
        Path garbage = Files.writeString(directory.resolve("garbage.pem"), "not a certificate\n");
        assertThatThrownBy(() -> TlsIdentity.load(garbage, pair.key())).hasMessageContaining("--tls-cert " + garbage);
        assertThatThrownBy(() -> TlsIdentity.load(pair.certificate(), garbage))
                .hasMessageContaining("--tls-key " + garbage + " holds no PEM private key");
        Path missing = directory.resolve("missing.pem");
        assertThatThrownBy(() -> TlsIdentity.load(missing, pair.key())).hasMessageContaining("--tls-cert " + missing + " cannot be read");
    }

    @Test
    void certificateAndKeyGoTogether() {
        TestCertificates.Pair pair = TestCertificates.selfSigned(directory, "rsa", "rsa:2048");
        assertThatThrownBy(() -> ServerOptions.parse(List.of("--tls-cert", pair.certificate().toString()), Map.of()))
                .hasMessageContaining("--tls-cert and --tls-key go together");
        ServerConfig config = ServerOptions.parse(List.of(), Map.of("PERPETUA_TLS_CERT", pair.certificate().toString(),
                "PERPETUA_TLS_KEY", pair.key().toString()));
        assertThat(config.tls().certificate()).isEqualTo(pair.certificate());
        assertThat(ServerOptions.parse(List.of(), Map.of()).tls()).isNull();
    }
}
