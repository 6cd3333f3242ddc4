package dev.ferrymta.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.mail.Domain;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The native signature provider, where it loads, gives the very bytes the JDK gives: both
 * algorithms DKIM uses are deterministic, so any difference is a fault.
 */
class SignatureProviderTest {

    /** RFC 8463 A.2: the Ed25519 private key (its 32-byte seed). */
    private static final String RFC8463_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

    /** The PKCS#8 prefix of an Ed25519 private key (RFC 8410 section 7), before the seed. */
    private static final String ED25519_PKCS8_PREFIX = "302e020100300506032b657004220420";

    @Test
    void onThisMachineTheNativeProviderLoads() {
        // The build machine is linux-x86_64, where the native provider must load: if it stops
        // loading, the speed in docs/BENCHMARKS.md is gone, and this says so.
        if ("amd64".equals(System.getProperty("os.arch")) && System.getProperty("os.name").startsWith("Linux")) {
            assertThat(SignatureProvider.isNative()).as(SignatureProvider.description()).isTrue();
        }
        assertThat(SignatureProvider.description()).isNotBlank();
    }

    @Test
    void rsaSignaturesAreTheJdksBytes() throws Exception {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        var data = "some header data to sign\r\n".getBytes(StandardCharsets.US_ASCII);

        var jdk = Signature.getInstance("SHA256withRSA");
        jdk.initSign(pair.getPrivate());
        jdk.update(data);

        var chosen = SignatureProvider.signature("SHA256withRSA");
        chosen.initSign(SignatureProvider.translate(pair.getPrivate()));
        chosen.update(data);

        assertThat(chosen.sign()).isEqualTo(jdk.sign());
    }

    @Test
    void theRfc8463KeySignsWhatTheRfcPublishes() throws Exception {
        var seed = Base64.getDecoder().decode(RFC8463_SEED);
        var pkcs8 = new java.io.ByteArrayOutputStream();
        pkcs8.writeBytes(HexFormat.of().parseHex(ED25519_PKCS8_PREFIX));
        pkcs8.writeBytes(seed);
        var jdkKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8.toByteArray()));
        var pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pkcs8.toByteArray()) + "\n-----END PRIVATE KEY-----\n";
        var key = SigningKey.parse(Domain.parse("football.example.com"), "brisbane", pem);
        var data = "the SHA-256 of some header data".getBytes(StandardCharsets.US_ASCII);

        var jdk = Signature.getInstance("Ed25519");
        jdk.initSign(jdkKey);
        jdk.update(data);
        var chosen = SignatureProvider.signature("Ed25519");
        chosen.initSign(key.key());
        chosen.update(data);
        assertThat(chosen.sign()).isEqualTo(jdk.sign());

        // And the published key is the RFC's (A.2), from the translated key as well.
        assertThat(DkimPublication.publicKey(key)).isEqualTo("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    }
}
