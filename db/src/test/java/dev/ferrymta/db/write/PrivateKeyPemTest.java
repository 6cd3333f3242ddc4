package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrivateKeyPemTest {

    static Stream<Arguments> usableKeys() {
        return Stream.of(
                arguments("RSA 2048", TestKeys.RSA_2048),
                arguments("RSA 1024, the shortest DKIM allows", TestKeys.pkcs8("RSA", 1024)),
                arguments("Ed25519", TestKeys.ED25519));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usableKeys")
    void acceptsAKeyDkimCanSignWith(String kind, String pem) {
        assertThat(PrivateKeyPem.canonical(pem)).isEqualTo(pem);
    }

    static Stream<Arguments> sloppyButUsableKeys() {
        var pem = TestKeys.RSA_2048;
        var body = pem.substring(pem.indexOf('\n') + 1, pem.indexOf("-----END")).replace("\n", "");
        return Stream.of(
                arguments("Windows line ends", pem.replace("\n", "\r\n")),
                arguments("white space around it", "\n  " + pem + "  \n\n"),
                arguments("one long base64 line", "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----"),
                arguments("lines of 76, as MIME wraps", "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(Base64.getDecoder().decode(body)) + "\n-----END PRIVATE KEY-----"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sloppyButUsableKeys")
    void storesAKeyInCanonicalPem(String difference, String pem) {
        assertThat(PrivateKeyPem.canonical(pem)).isEqualTo(TestKeys.RSA_2048);
    }

    static Stream<Arguments> unusableKeys() throws Exception {
        var rsa = TestKeys.RSA_2048;
        var publicKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return Stream.of(
                arguments("PKCS#1 RSA", rsa.replace("BEGIN PRIVATE", "BEGIN RSA PRIVATE").replace("END PRIVATE", "END RSA PRIVATE"), "PKCS#1"),
                arguments("encrypted", rsa.replace("BEGIN PRIVATE", "BEGIN ENCRYPTED PRIVATE").replace("END PRIVATE", "END ENCRYPTED PRIVATE"),
                        "is encrypted"),
                arguments("a public key", TestKeys.pem("PUBLIC KEY", publicKey), "is a public key"),
                arguments("no PEM at all", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "must be a PEM private key"),
                arguments("not base64", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----", "is not valid base64"),
                arguments("base64 of something else", TestKeys.pem("PRIVATE KEY", "hello, world".getBytes()), "is not an RSA or Ed25519 private key"),
                arguments("a public key under a private label", TestKeys.pem("PRIVATE KEY", publicKey), "is not an RSA or Ed25519 private key"),
                arguments("RSA 512", TestKeys.pkcs8("RSA", 512), "is a 512-bit RSA key; DKIM needs at least 1024 bits"),
                arguments("two keys", rsa + TestKeys.ED25519, "must hold exactly one private key"),
                arguments("a certificate after the key", rsa + "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                        "must be a PEM private key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableKeys")
    void refusesAKeyDkimCannotSignWith(String kind, String pem, String reason) {
        assertThatThrownBy(() -> PrivateKeyPem.canonical(pem)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    @Test
    void neverRepeatsTheKeyInAMessage() {
        var body = TestKeys.RSA_2048.lines().skip(1).findFirst().orElseThrow();
        var truncated = TestKeys.RSA_2048.replace(body + "\n", body.substring(0, 30) + "\n");

        assertThatThrownBy(() -> PrivateKeyPem.canonical(truncated)).message().doesNotContain(body.substring(0, 30));
    }
}
