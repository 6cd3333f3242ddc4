package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Addresses, domains and destinations as the real Internet has them, against real sockets and a
 * real DNS responder: internationalised domains (IDNA2008), unusual local parts, SMTPUTF8,
 * destinations that loop back, MX records naming IPs, equal-preference MX hosts and servers that
 * never greet. Sinks listen on port 25 of loopback addresses of their own, as MX hosts do.
 */
class DeliveryConformanceIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void fixture() {
        relay = new RelayFixture(broker);
        relay.settings(settings().version(1));
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        for (var each : closing) {
            each.close();
        }
    }

    private SmtpSink sink(String ip) throws IOException {
        var sink = SmtpSink.start(InetAddress.getByName(ip), 25);
        closing.add(sink);
        return sink;
    }

    @ParameterizedTest
    @CsvSource({
            "ann@straße.example.test, xn--strae-oqa.example.test, strasse.example.test",
            "ann@βόλος.example.test, xn--nxasmm1c.example.test, xn--nxasmq6b.example.test",
    })
    void anIdnDomainGoesToItsOwnServersNotToItsIdna2003Spelling(String recipient, String aLabel, String idna2003) throws Exception {
        var right = sink("127.0.0.21");
        var wrong = sink("127.0.0.22");
        relay.dns.mx(aLabel, 10, "mx." + aLabel).a("mx." + aLabel, "127.0.0.21")
                .mx(idna2003, 10, "mx." + idna2003).a("mx." + idna2003, "127.0.0.22");
        relay.start();
        var message = message(recipient);
        // ASCII headers: a UTF-8 To: would need SMTPUTF8, which the sinks do not offer.
        message.put("mime", "Subject: idn\r\n\r\nhello\r\n");
        relay.send(message);

        var received = right.awaitMessages(1, WAIT).getFirst();
        assertThat(received.recipients()).containsExactly("ann@" + aLabel);
        assertThat(relay.take(relay.success, 1, WAIT)).hasSize(1);
        assertThat(wrong.connectionsAccepted()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "taro..yamada@quoted.test | \"taro..yamada\"@quoted.test",
            "taro.@quoted.test | \"taro.\"@quoted.test",
            "\"john smith\"@quoted.test | \"john smith\"@quoted.test",
    })
    void aLocalPartThatIsNoDotAtomIsSentQuoted(String recipient, String path) throws Exception {
        var sink = sink("127.0.0.23");
        relay.dns.mx("quoted.test", 10, "mx.quoted.test").a("mx.quoted.test", "127.0.0.23");
        relay.start();
        var message = message("x@quoted.test");
        message.put("recipient", recipient);
        relay.send(message);

        assertThat(sink.awaitMessages(1, WAIT).getFirst().recipients()).containsExactly(path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "संपर्क@utf8.test | plain@ferry.test | Subject: hi",
            "müller@utf8.test | plain@ferry.test | Subject: hi",
            "plain@utf8.test | jörg@ferry.test | Subject: hi",
            "plain@utf8.test | plain@ferry.test | From: Jörg Müller <plain@ferry.test>",
    })
    void utf8InTheEnvelopeOrTheHeadersGoesWithSmtputf8WhenOffered(String recipient, String sender, String header) throws Exception {
        var sink = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.24"), 25).extension("SMTPUTF8").start();
        closing.add(sink);
        var mailLines = new CopyOnWriteArrayList<String>();
        sink.script().on(SmtpCommand.MAIL).matching(line -> mailLines.add(line) && false);
        relay.dns.mx("utf8.test", 10, "mx.utf8.test").a("mx.utf8.test", "127.0.0.24");
        relay.start();
        var message = message(recipient);
        message.put("envelope", sender);
        message.put("mime", header + "\r\n\r\nhello\r\n");
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        assertThat(received.recipients()).containsExactly(recipient);
        assertThat(mailLines).singleElement().asString().endsWith(" SMTPUTF8");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "müller@utf8.test | plain@ferry.test | Subject: hi | the recipient",
            "δοκιμή@utf8.test | plain@ferry.test | Subject: hi | the recipient",
            "plain@utf8.test | plain@ferry.test | From: Jörg Müller <plain@ferry.test> | UTF-8 in its headers",
    })
    void utf8ToAServerWithoutSmtputf8FailsForGoodAndNothingIsSent(String recipient, String sender, String header, String why)
            throws Exception {
        var sink = sink("127.0.0.25");
        var rcptLines = new CopyOnWriteArrayList<String>();
        sink.script().on(SmtpCommand.RCPT).matching(line -> rcptLines.add(line) && false);
        relay.dns.mx("utf8.test", 10, "mx.utf8.test").a("mx.utf8.test", "127.0.0.25");
        relay.start();
        var message = message(recipient);
        message.put("envelope", sender);
        message.put("mime", header + "\r\n\r\nhello\r\n");
        relay.send(message);

        var entry = relay.take(relay.failure, 1, WAIT).getFirst().get("results").get(0);
        assertThat(entry.get("state").asText()).isEqualTo("mailfrom");
        assertThat(entry.get("status").asText()).isEqualTo("5.6.7");
        assertThat(entry.get("description").asText()).startsWith("SMTPUTF8 required, not offered by").contains(why);
        assertThat(rcptLines).isEmpty();
        assertThat(sink.messages()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Grüße aus Köln",
            "Καλημέρα κόσμε, ξεσκεπάζω την ψυχοφθόρα βδελυγμία",
    })
    void anEightBitBodyReachesAServerWithout8bitmimeAsQuotedPrintable(String text) throws Exception {
        var sink = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.30"), 25).withoutExtension("8BITMIME").start();
        closing.add(sink);
        var mailLines = new CopyOnWriteArrayList<String>();
        sink.script().on(SmtpCommand.MAIL).matching(line -> mailLines.add(line) && false);
        relay.dns.mx("seven.test", 10, "mx.seven.test").a("mx.seven.test", "127.0.0.30");
        relay.start();
        var message = message("user@seven.test");
        message.put("mime", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "Subject: greetings\r\n\r\n" + text + "\r\n");
        relay.send(message);

        var received = sink.awaitMessages(1, WAIT).getFirst();
        var data = received.data();
        for (byte b : data) {
            assertThat(b).as("a byte sent to a 7-bit server").isNotNegative();
        }
        assertThat(received.text()).contains("Content-Transfer-Encoding: quoted-printable");
        assertThat(decoded(data)).isEqualTo(text + "\r\n");
        assertThat(mailLines).singleElement().asString().doesNotContain("BODY=8BITMIME");
    }

    @ParameterizedTest
    @CsvSource({"999", "1507", "20000"})
    void noLineLongerThan998OctetsLeavesFerry(int length) throws Exception {
        var sink = sink("127.0.0.31");
        relay.dns.mx("long.test", 10, "mx.long.test").a("mx.long.test", "127.0.0.31");
        relay.start();
        var html = "<p>" + "w".repeat(length) + "</p>";
        var message = message("user@long.test");
        message.put("mime", "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nSubject: long\r\n\r\n" + html + "\r\n");
        relay.send(message);

        var data = sink.awaitMessages(1, WAIT).getFirst().data();
        int line = 0;
        for (byte b : data) {
            line = b == '\n' ? 0 : line + 1;
            assertThat(line).as("a line's length").isLessThanOrEqualTo(999); // 998 and its CR
        }
        assertThat(decoded(data)).isEqualTo(html + "\r\n");
    }

    /** The one part's content, transfer encoding undone. */
    private static String decoded(byte[] message) throws Exception {
        var stream = new org.apache.james.mime4j.stream.MimeTokenStream(new org.apache.james.mime4j.stream.MimeConfig.Builder()
                .setMaxLineLen(-1).build());
        stream.parse(new java.io.ByteArrayInputStream(message));
        for (var state = stream.getState(); state != org.apache.james.mime4j.stream.EntityState.T_END_OF_STREAM;
                state = stream.next()) {
            if (state == org.apache.james.mime4j.stream.EntityState.T_BODY) {
                return new String(stream.getDecodedInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no body");
    }

    @Test
    void mailWhoseMxIsOneOfOurOwnIpsFailsForGoodAsALoop() throws Exception {
        var self = sink("127.0.0.2"); // one of the fixture's smtp-ips
        relay.dns.mx("loop.test", 0, "localhost.loop.test").a("localhost.loop.test", "127.0.0.2");
        relay.start();
        relay.send(message("user@loop.test"));

        var entry = relay.take(relay.failure, 1, WAIT).getFirst().get("results").get(0);
        assertThat(entry.get("description").asText()).contains("loops back to myself");
        assertThat(entry.get("status").asText()).isEqualTo("5.4.6");
        assertThat(self.connectionsAccepted()).isZero();
    }

    /**
     * MailerQ's "dsn" with FAILURE: the refused message's sender gets a delivery status notification
     * (RFC 3464) from the null reverse-path, delivered like any message (RFC 3461).
     */
    @Test
    void aMessageAskingForFailureNoticesGetsOneBackWhenItFails() throws Exception {
        var refusing = sink("127.0.0.27");
        var returns = sink("127.0.0.28");
        refusing.script().on(SmtpCommand.RCPT).forAddress("gone@refusing.test").reply(550, "5.1.1 no such user");
        relay.dns.mx("refusing.test", 10, "mx.refusing.test").a("mx.refusing.test", "127.0.0.27")
                .mx("return.test", 10, "mx.return.test").a("mx.return.test", "127.0.0.28");
        relay.start();
        var message = message("gone@refusing.test");
        message.put("envelope", "bounces@return.test");
        message.putObject("dsn").put("notify", "FAILURE").put("ret", "HDRS").put("envid", "campaign-7");
        relay.send(message);

        var failed = relay.take(relay.failure, 1, WAIT).getFirst();
        assertThat(failed.get("recipient").asText()).isEqualTo("gone@refusing.test");
        var notice = returns.awaitMessages(1, WAIT).getFirst();
        assertThat(notice.sender()).as("the null reverse-path").isEmpty();
        assertThat(notice.recipients()).containsExactly("bounces@return.test");
        assertThat(notice.text()).contains("Content-Type: multipart/report; report-type=delivery-status",
                "Final-Recipient: rfc822; gone@refusing.test", "Action: failed", "Status: 5.1.1",
                "Diagnostic-Code: smtp; 550 5.1.1 no such user", "Original-Envelope-Id: campaign-7",
                "Content-Type: text/rfc822-headers", "Subject: test").doesNotContain("Hello gone@refusing.test");
    }

    @Test
    void aLoopbackMxIsRefusedUnlessADomainRouteNamesIt() throws Exception {
        var sink = sink("127.0.0.26");
        relay.dns.mx("lo.test", 10, "mx.lo.test").a("mx.lo.test", "127.0.0.26");
        relay.settings(settings().route("routed.test", "127.0.0.26", 25).version(2));
        relay.with("smtp-allowed-destinations", "").start();
        relay.send(message("user@lo.test"));
        relay.send(message("user@routed.test"));

        var entry = relay.take(relay.failure, 1, WAIT).getFirst();
        assertThat(entry.get("recipient").asText()).isEqualTo("user@lo.test");
        assertThat(entry.get("results").get(0).get("description").asText())
                .contains("the destination resolves to the loopback address 127.0.0.26");
        assertThat(sink.awaitMessages(1, WAIT)).extracting(m -> m.recipients().getFirst()).containsExactly("user@routed.test");
    }

    @Test
    void anMxNamingAnIpAddressIsLookedUpAsAHostNameNotUsedAsAnAddress() throws Exception {
        var sink = sink("127.0.0.27");
        relay.dns.mx("iplit.test", 10, "127.0.0.27");
        relay.start();
        var message = message("user@iplit.test");
        message.put("maxattempts", 1);
        relay.send(message);

        var entries = relay.take(relay.failure, 1, WAIT).getFirst().get("results");
        assertThat(entries.get(0).get("state").asText()).isEqualTo("dns");
        assertThat(entries.get(0).get("description").asText()).contains("mail server 127.0.0.27 does not exist");
        assertThat(sink.connectionsAccepted()).isZero();
    }

    @Test
    void aRefusalFromOneOfTwoEqualPreferenceMxIsFollowedByTheOtherInTheSameAttempt() throws Exception {
        var refusing = sink("127.0.0.28");
        var accepting = sink("127.0.0.29");
        refusing.script().on(SmtpCommand.RCPT).reply(451, "4.3.0 not now");
        relay.dns.mx("equal.test", 10, "a.equal.test").mx("equal.test", 10, "b.equal.test")
                .a("a.equal.test", "127.0.0.28").a("b.equal.test", "127.0.0.29");
        relay.start();
        int count = 12;
        for (int i = 0; i < count; i++) {
            var message = message("u" + i + "@equal.test");
            message.put("maxattempts", 1);
            relay.send(message);
        }

        var results = relay.take(relay.success, count, WAIT);
        assertThat(results).allSatisfy(r -> assertThat(r.get("results")).hasSize(1));
        assertThat(accepting.messages()).hasSize(count);
        assertThat(relay.depth(relay.failure)).isZero();
    }

    @Test
    void anAttemptTriesAtMostFiveServersThatNeverGreetAndSaysWhich() throws Exception {
        var accepted = new AtomicInteger();
        var mutes = new ArrayList<Mute>();
        for (int i = 0; i < 7; i++) {
            var mute = new Mute("127.0.0." + (40 + i), accepted);
            mutes.add(mute);
            closing.add(mute);
            relay.dns.mx("mute.test", 10 + i, "mx" + i + ".mute.test").a("mx" + i + ".mute.test", "127.0.0." + (40 + i));
        }
        relay.with("smtp-timeout", "1s").start();
        var message = message("user@mute.test");
        message.put("maxattempts", 1);
        relay.send(message);

        var entry = relay.take(relay.failure, 1, WAIT).getFirst().get("results").get(0);
        assertThat(entry.get("state").asText()).isEqualTo("intro");
        var description = entry.get("description").asText();
        assertThat(description).contains("tried mx0.mute.test", "mx4.mute.test").doesNotContain("mx5.mute.test");
        assertThat(accepted.get()).isEqualTo(5);
    }

    /** Accepts connections on port 25 and never says a word. */
    private static final class Mute implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        Mute(String ip, AtomicInteger accepted) throws IOException {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(ip), 25));
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(listener.accept());
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            });
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (var socket : held) {
                socket.close();
            }
        }
    }
}
