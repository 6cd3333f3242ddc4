package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.dkim.DkimVerifier;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DKIM signing end to end: messages delivered to an SMTP sink and every signature checked by an
 * independent verifier (dkimpy), the public keys served by the test's DNS responder.
 */
class DkimSigningIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private SmtpSink sink;
    private final KeyPair rsa = generate("RSA", 2048);
    private final KeyPair ed25519 = generate("Ed25519", 0);

    private static KeyPair generate(String algorithm, int bits) {
        try {
            var generator = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The TXT record a DKIM key is published as (RFC 6376 section 3.6.1; RFC 8463 for Ed25519). */
    private static String txt(KeyPair pair) {
        var encoded = pair.getPublic().getEncoded();
        if (pair.getPublic().getAlgorithm().equals("RSA")) {
            return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(encoded);
        }
        // An Ed25519 SubjectPublicKeyInfo ends with the 32-byte raw key, which is what DKIM publishes.
        return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    @BeforeEach
    void start() throws Exception {
        sink = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.1"), 0).withoutExtension("8BITMIME").start();
        relay = new RelayFixture(broker);
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port())
                .dkim("ferry.test", "rsa2048", pem(rsa)).dkim("ferry.test", "ed1", pem(ed25519)).version(1));
        relay.dns.txt("rsa2048._domainkey.ferry.test", txt(rsa)).txt("ed1._domainkey.ferry.test", txt(ed25519));
    }

    @AfterEach
    void stop() {
        relay.close();
        sink.close();
    }

    private DkimVerifier.Verdict verify(byte[] message) throws Exception {
        return DkimVerifier.verify(message, relay.dns.address().getAddress().getHostAddress(), relay.dns.port());
    }

    @Test
    void signsWithEveryKeyOfTheAuthorsDomainAndAnIndependentVerifierAgrees() throws Exception {
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: Sender <sender@ferry.test>\r\nTo: ann@sink.test\r\nSubject: a subject\r\n that is folded\r\n"
                + "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\nMessage-ID: <1@ferry.test>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße aus Köln\r\n.a line that starts with a dot\r\n  spaced    words  \r\n\r\n\r\n");
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        var verdict = verify(received.data());

        assertThat(verdict.passed()).as(verdict.lines().toString()).isTrue();
        assertThat(verdict.lines()).containsExactly("pass d=ferry.test s=rsa2048", "pass d=ferry.test s=ed1");
        var text = received.text();
        // From over-signed (signed once more than it occurs); the 8-bit body re-encoded for the 7-bit sink before signing.
        assertThat(text).contains("a=rsa-sha256", "a=ed25519-sha256", "h=from:from:to:subject:date:message-id:mime-version:",
                "Content-Transfer-Encoding: quoted-printable");
        var result = relay.take(relay.results, 1, WAIT).getFirst().get("results").get(0);
        assertThat(result.get("dkim")).extracting(node -> node.asText())
                .containsExactly("d=ferry.test s=rsa2048 a=rsa-sha256", "d=ferry.test s=ed1 a=ed25519-sha256");
    }

    /** MailerQ's "dkim" property without "canonicalization": relaxed/simple, and dkimpy agrees. */
    @Test
    void aKeyTheMessageBringsSignsRelaxedSimpleByDefaultAndVerifies() throws Exception {
        var own = generate("Ed25519", 0);
        relay.dns.txt("own._domainkey.other.test", txt(own));
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: sender@other.test\r\nSubject: its own key\r\n\r\n  spaced    words  \r\n");
        message.putObject("dkim").put("domain", "other.test").put("selector", "own").put("key", pem(own));
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        var verdict = verify(received.data());

        assertThat(verdict.lines()).as(verdict.lines().toString()).contains("pass d=other.test s=own");
        assertThat(received.text()).contains("c=relaxed/simple");
    }

    @Test
    void aTamperedBodyFailsVerification() throws Exception {
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: sender@ferry.test\r\nSubject: hi\r\n\r\nthe original text\r\n");
        relay.send(message);

        var data = sink.awaitMessages(1, WAIT).getFirst().data();
        var tampered = new String(data, StandardCharsets.ISO_8859_1).replace("the original text", "the altered text")
                .getBytes(StandardCharsets.ISO_8859_1);

        assertThat(verify(data).passed()).isTrue();
        var verdict = verify(tampered);
        assertThat(verdict.passed()).as(verdict.lines().toString()).isFalse();
    }

    @Test
    void headersEditedByTheMessagesHeadersPropertyAreWhatIsSigned() throws Exception {
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: old-author@ferry.test\r\nX-Remove-Me: 1\r\nSubject: before\r\n\r\nbody\r\n");
        var headers = message.putObject("headers");
        headers.putArray("remove").add("x-remove-me");
        headers.putObject("prepend").put("List-Unsubscribe", "<mailto:unsubscribe@ferry.test>");
        headers.putObject("replace").put("Subject", "after the edit").put("From", "News <news@ferry.test>");
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        var verdict = verify(received.data());
        assertThat(verdict.lines()).containsExactly("pass d=ferry.test s=rsa2048", "pass d=ferry.test s=ed1");
        var text = received.text();
        assertThat(text).contains("Subject: after the edit\r\n", "From: News <news@ferry.test>\r\n", "h=from:from:subject:list-unsubscribe")
                .doesNotContain("X-Remove-Me", "before", "old-author");
        // The edited Subject is covered: changing it back breaks the signature.
        var reverted = text.replace("Subject: after the edit", "Subject: before").getBytes(StandardCharsets.UTF_8);
        assertThat(verify(reverted).passed()).isFalse();
    }

    @Test
    void aSubdomainAuthorIsSignedWithItsParentDomainsKeys() throws Exception {
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: news@mail.ferry.test\r\nSubject: from a subdomain\r\n\r\nhello\r\n");
        relay.send(message);

        var verdict = verify(sink.awaitMessages(1, WAIT).getFirst().data());
        assertThat(verdict.lines()).containsExactly("pass d=ferry.test s=rsa2048", "pass d=ferry.test s=ed1");
    }

    @Test
    void aMessagesOwnDkimKeySignsTooWithItsCanonicalization() throws Exception {
        var own = generate("RSA", 2048);
        relay.dns.txt("own._domainkey.other.test", txt(own));
        relay.start();
        var message = message("ann@sink.test");
        message.put("mime", "From: sender@ferry.test\r\nSubject: two domains\r\nX-Campaign: spring\r\n\r\nhello  world\r\n\r\n");
        var dkim = message.putArray("dkim").addObject();
        // MailerQ's forms: expire as a time, headers as extra ones signed besides the regular ones.
        dkim.put("domain", "other.test").put("selector", "own").put("key", pem(own)).put("canonicalization", "simple/simple")
                .put("expire", "2099-01-01 00:00:00");
        dkim.putArray("headers").add("X-Campaign");
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        var verdict = verify(received.data());
        assertThat(verdict.passed()).as(verdict.lines().toString()).isTrue();
        assertThat(verdict.lines()).containsExactly("pass d=other.test s=own", "pass d=ferry.test s=rsa2048", "pass d=ferry.test s=ed1");
        assertThat(received.text()).contains("c=simple/simple", "x=4070908800", "h=from:from:subject:x-campaign");
    }

    @Test
    void aMalformedDkimPropertyIsAnInvalidMessageNamingTheField() throws Exception {
        relay.start();
        var message = message("ann@sink.test");
        message.putArray("dkim").addObject().put("domain", "other.test").put("selector", "own").put("key", "not a key");
        relay.send(message);

        var failure = relay.take(relay.failure, 1, WAIT).getFirst().get("results").get(0);
        assertThat(failure.get("result").asText()).isEqualTo("invalid");
        assertThat(failure.get("description").asText()).startsWith("\"dkim[0]\".key:");
        assertThat(sink.messages()).isEmpty();
    }
}
