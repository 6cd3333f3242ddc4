package dev.ferrymta.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.config.HostAndPort;
import dev.ferrymta.relay.dns.DnsJavaResolver;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.DkimKey;
import dev.ferrymta.testing.dns.DnsResponder;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whether a stored DKIM key is published and matches, asked of a real DNS responder through Ferry's
 * resolver: each of the four answers the console shows.
 */
class DkimPublicationChecksIT {

    private final DnsResponder dns = DnsResponder.start();
    private final DkimPublicationChecks checks = new DkimPublicationChecks(
            new DnsJavaResolver(Optional.of(HostAndPort.parse(dns.hostPort(), 53)), Duration.ofSeconds(2)), Clock.systemUTC());

    @AfterEach
    void stop() {
        checks.close();
        dns.close();
    }

    private static KeyPair generate(String algorithm) throws Exception {
        var generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static DkimKey stored(long id, String selector, KeyPair pair) {
        var pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new DkimKey(id, 1, Domain.parse("ferry.test"), selector, pem);
    }

    private static String p(KeyPair pair) {
        var encoded = pair.getPublic().getEncoded();
        return pair.getPublic().getAlgorithm().equals("RSA") ? Base64.getEncoder().encodeToString(encoded)
                : Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    private DkimPublication.Check awaitCheck(DkimKey key) {
        await().atMost(Duration.ofSeconds(10)).until(() -> checks.status(key).isPresent());
        return checks.status(key).orElseThrow();
    }

    @Test
    void tellsPublishedAndMatchingFromMismatchedMissingAndFailed() throws Exception {
        var rsa = generate("RSA");
        var ed = generate("Ed25519");
        var other = generate("RSA");
        dns.txt("rsa._domainkey.ferry.test", "v=DKIM1; k=rsa; p=" + p(rsa))
                .txt("ed._domainkey.ferry.test", "v=DKIM1; k=ed25519; p=" + p(ed))
                .txt("old._domainkey.ferry.test", "v=DKIM1; k=rsa; p=" + p(other))
                .serverFailure("broken._domainkey.ferry.test");

        assertThat(awaitCheck(stored(1, "rsa", rsa)).state()).isEqualTo(DkimPublication.State.MATCHES);
        assertThat(awaitCheck(stored(2, "ed", ed)).state()).isEqualTo(DkimPublication.State.MATCHES);
        assertThat(awaitCheck(stored(3, "old", rsa)).state()).isEqualTo(DkimPublication.State.MISMATCH);
        assertThat(awaitCheck(stored(4, "missing", rsa)).state()).isEqualTo(DkimPublication.State.NOT_PUBLISHED);
        assertThat(awaitCheck(stored(5, "broken", rsa)).state()).isEqualTo(DkimPublication.State.LOOKUP_FAILED);
        assertThat(checks.record(stored(1, "rsa", rsa))).contains("rsa._domainkey.ferry.test TXT \"v=DKIM1; k=rsa; p=" + p(rsa) + "\"");
        assertThat(checks.record(stored(2, "ed", ed))).contains("ed._domainkey.ferry.test TXT \"v=DKIM1; k=ed25519; p=" + p(ed) + "\"");
    }
}
