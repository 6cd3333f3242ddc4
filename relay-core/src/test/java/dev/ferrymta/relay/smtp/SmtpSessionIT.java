package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.message.Security;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SelfSignedCertificate;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SmtpClient} and {@link SmtpSession} against a real {@link SmtpSink} on loopback. */
class SmtpSessionIT {

    private static final InetAddress SINK_ADDRESS = address("127.0.0.1");
    private static final InetAddress SOURCE = address("127.0.0.2");
    private static final InetAddress OTHER_SOURCE = address("127.0.0.3");
    private static final String EHLO_NAME = "relay.ferry.test";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final SmtpTimeouts TIMEOUTS =
            new SmtpTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5),
                    Duration.ofSeconds(5));
    private static final SmtpTimeouts ONE_SECOND = SmtpTimeouts.of(Duration.ofSeconds(1));
    // One certificate for every sink: making a key pair per test would be the slowest part.
    private static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.create();
    private static final Optional<MailAddress> SENDER = Optional.of(MailAddress.parse("sender@ferry.test"));
    private static final MailAddress RECIPIENT = MailAddress.parse("bob@example.net");
    private static final String MESSAGE = "Subject: hello\r\n\r\nHello, Bob.\r\n";

    private SmtpSink sink;
    private SmtpClient client;

    @BeforeEach
    void start() throws IOException {
        sink = sinkBuilder().start();
        client = new SmtpClient(TIMEOUTS, CERTIFICATE.clientContext(), CLOCK);
    }

    @AfterEach
    void stop() {
        sink.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3"})
    void sendsFromTheChosenSourceAddressWithTheEhloName(String source) throws Exception {
        try (var session = open(address(source), Security.NONE)) {
            assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE))).isInstanceOf(DeliveryOutcome.Delivered.class);
        }

        var received = sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst();
        assertThat(received.clientAddress()).isEqualTo(address(source));
        assertThat(received.heloVerb()).isEqualTo(SmtpCommand.EHLO);
        assertThat(received.heloName()).isEqualTo(EHLO_NAME);
        assertThat(received.sender()).isEqualTo("sender@ferry.test");
        assertThat(received.recipients()).containsExactly("bob@example.net");
        assertThat(received.text()).isEqualTo(MESSAGE);
    }

    @Test
    void reportsADeliveryWithACompleteAttempt() throws Exception {
        try (var session = open(SOURCE, Security.NONE)) {
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(outcome).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(outcome.attempt()).isEqualTo(new Attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, NOW,
                    Optional.of(SOURCE), Optional.of(SINK_ADDRESS), Optional.of("localhost"),
                    OptionalInt.of(250), Optional.of("2.0.0"), outcome.attempt().description())
                    .withSession(new dev.ferrymta.relay.attempt.SessionFacts(1, false, Optional.empty())));
            assertThat(outcome.attempt().description()).startsWith("queued as");
            assertThat(session.mta()).isEqualTo("localhost");
            assertThat(session.source()).isEqualTo(SOURCE);
            assertThat(session.extensions()).contains("PIPELINING", "SIZE", "8BITMIME", "STARTTLS");
        }
    }

    @Test
    void sendsTheNullSenderAsAnEmptyPath() throws Exception {
        try (var session = open(SOURCE, Security.NONE)) {
            session.send(Optional.empty(), RECIPIENT, bytes(MESSAGE));
        }

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst().sender()).isEmpty();
    }

    @Test
    void fallsBackToHeloWhenEhloIsRefused() throws Exception {
        sink.script().on(SmtpCommand.EHLO).reply(500, "5.5.1 what is EHLO?");

        try (var session = open(SOURCE, Security.OPPORTUNISTIC)) {
            assertThat(session.extensions()).isEmpty();
            assertThat(session.tls()).isFalse();
            assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE))).isInstanceOf(DeliveryOutcome.Delivered.class);
        }

        var received = sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst();
        assertThat(received.heloVerb()).isEqualTo(SmtpCommand.HELO);
        assertThat(received.heloName()).isEqualTo(EHLO_NAME);
    }

    @Test
    void failsAtEhloWhenEhloIsRefusedTemporarily() {
        sink.script().on(SmtpCommand.EHLO).reply(450, "4.7.0 come back later");

        var attempt = openFailure(SOURCE, Security.NONE);

        assertThat(attempt.state()).isEqualTo(AttemptState.EHLO);
        assertThat(attempt.code()).hasValue(450);
    }

    @Test
    void sendsSeveralMessagesOnOneConnectionWithoutRsetAfterACompletedTransaction() throws Exception {
        var resets = countCommands(SmtpCommand.RSET);

        try (var session = open(SOURCE, Security.NONE)) {
            for (int i = 1; i <= 5; i++) {
                var outcome = session.send(SENDER, MailAddress.parse("user" + i + "@example.net"), bytes(MESSAGE));
                assertThat(outcome).as("message %d", i).isInstanceOf(DeliveryOutcome.Delivered.class);
            }
            assertThat(session.messagesSent()).isEqualTo(5);
            assertThat(session.isUsable()).isTrue();
        }

        var received = sink.awaitMessages(5, Duration.ofSeconds(5));
        assertThat(sink.connectionsAccepted()).isEqualTo(1);
        assertThat(received).extracting(ReceivedMessage::sequenceInConnection).containsExactly(1, 2, 3, 4, 5);
        assertThat(received).extracting(message -> message.recipients().getFirst())
                .containsExactly("user1@example.net", "user2@example.net", "user3@example.net", "user4@example.net",
                        "user5@example.net");
        // RFC 5321 4.1.1.4: the reply to the end of data clears the transaction; no RSET is needed.
        assertThat(resets).hasValue(0);
    }

    /**
     * The next transaction starts with RSET exactly when the one before it was left open: refused
     * before its message went. A refusal of the message itself (the reply to its end of data)
     * ends the transaction like an acceptance does.
     */
    @ParameterizedTest(name = "first refused at {0} with {1}: RSET before the second: {2}")
    @CsvSource({
            "MAIL, 550, true",
            "MAIL, 451, true",
            "RCPT, 550, true",
            "RCPT, 452, true",
            "DATA, 554, true",
            "DATA, 451, true",
            "END_OF_DATA, 550, false",
            "END_OF_DATA, 451, false",
    })
    void clearsALeftOpenTransactionWithRsetAndOnlyThen(SmtpCommand command, int code, boolean reset) throws Exception {
        sink.script().on(command).times(1).reply(code, (code / 100) + ".7.1 not this one");
        var resets = countCommands(SmtpCommand.RSET);

        try (var session = open(SOURCE, Security.NONE)) {
            var refused = session.send(SENDER, RECIPIENT, bytes(MESSAGE));
            var next = session.send(SENDER, MailAddress.parse("carol@example.net"), bytes(MESSAGE));
            var third = session.send(SENDER, MailAddress.parse("dave@example.net"), bytes(MESSAGE));

            assertThat(refused).isNotInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(refused.attempt().code()).hasValue(code);
            assertThat(next).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(third).isInstanceOf(DeliveryOutcome.Delivered.class);
        }
        assertThat(sink.awaitMessages(2, Duration.ofSeconds(5))).extracting(message -> message.recipients().getFirst())
                .containsExactly("carol@example.net", "dave@example.net");
        assertThat(resets).hasValue(reset ? 1 : 0);
    }

    /**
     * The second message's MAIL, RCPT and DATA go out behind the first one's end of data (RFC
     * 2920 section 3.1). Whatever the first one's reply, it is that message's outcome alone; the
     * second goes on while the connection stays in step, and is not sent at all once it is not.
     * (0: the server hangs up instead of answering.)
     */
    @ParameterizedTest(name = "end of data answered {0}: first {1}, second delivered: {2}")
    @CsvSource({
            "250, Delivered, true",
            "550, PermanentFailure, true",
            "451, TemporaryFailure, true",
            "421, TemporaryFailure, false",
            "0, TemporaryFailure, false",
    })
    void pipelinesTheNextMessageBehindTheEndOfData(int code, String first, boolean secondDelivered) throws Exception {
        if (code == 0) {
            sink.script().on(SmtpCommand.END_OF_DATA).times(1).dropConnection();
        } else if (code != 250) {
            sink.script().on(SmtpCommand.END_OF_DATA).times(1).reply(code, (code / 100) + ".7.1 not this one");
        }
        var firstMessage = message(RECIPIENT);
        var second = message(MailAddress.parse("carol@example.net"));
        var asked = new AtomicInteger();

        try (var session = open(SOURCE, Security.NONE)) {
            var firstOutcome = session.send(firstMessage, () -> {
                asked.incrementAndGet();
                return Optional.of(second);
            });
            var secondOutcome = session.send(second, NextMessage.NONE);

            assertThat(asked).hasValue(1);
            assertThat(firstOutcome.getClass().getSimpleName()).isEqualTo(first);
            assertThat(firstOutcome.attempt().state()).isEqualTo(AttemptState.MESSAGE);
            assertThat(firstOutcome.attempt().code()).isEqualTo(code == 0 ? OptionalInt.empty() : OptionalInt.of(code));
            if (secondDelivered) {
                assertThat(secondOutcome).isInstanceOf(DeliveryOutcome.Delivered.class);
                assertThat(secondOutcome.attempt().session().orElseThrow().messages()).isEqualTo(2);
                assertThat(session.isUsable()).isTrue();
            } else {
                assertThat(secondOutcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(secondOutcome.attempt().state()).isEqualTo(AttemptState.MAILFROM);
                assertThat(secondOutcome.attempt().code()).isEmpty();
                assertThat(session.isUsable()).isFalse();
            }
        }
        var expected = new java.util.ArrayList<String>();
        if (code == 250) {
            expected.add("bob@example.net");
        }
        if (secondDelivered) {
            expected.add("carol@example.net");
        }
        assertThat(sink.awaitMessages(expected.size(), Duration.ofSeconds(5)))
                .extracting(message -> message.recipients().getFirst()).containsExactlyElementsOf(expected);
        assertThat(sink.connectionsAccepted()).isEqualTo(1);
    }

    /** A pipelined message refused at RCPT leaves its transaction open: the one after it starts with RSET. */
    @Test
    void resetsAfterAPipelinedMessageRefusedAtRcpt() throws Exception {
        sink.script().on(SmtpCommand.RCPT).forAddress("carol@example.net").reply(550, "5.1.1 no such user");
        var resets = countCommands(SmtpCommand.RSET);
        var second = message(MailAddress.parse("carol@example.net"));

        try (var session = open(SOURCE, Security.NONE)) {
            assertThat(session.send(message(RECIPIENT), () -> Optional.of(second))).isInstanceOf(DeliveryOutcome.Delivered.class);
            var refused = session.send(second, NextMessage.NONE);
            assertThat(refused).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(refused.attempt().state()).isEqualTo(AttemptState.RCPTTO);
            assertThat(resets).hasValue(0);
            assertThat(session.send(message(MailAddress.parse("dave@example.net")), NextMessage.NONE))
                    .isInstanceOf(DeliveryOutcome.Delivered.class);
        }
        assertThat(sink.awaitMessages(2, Duration.ofSeconds(5))).extracting(message -> message.recipients().getFirst())
                .containsExactly("bob@example.net", "dave@example.net");
        assertThat(resets).hasValue(1);
    }

    /**
     * Nothing is pipelined behind the end of data where it may not be: a server without
     * PIPELINING is never asked for the next message, and a next message the server's SIZE limit
     * refuses is not begun on the wire, only refused when it is sent.
     */
    @Test
    void pipelinesNothingWithoutPipeliningOrForAMessageTheServerRefusesBeforeMail() throws Exception {
        try (var plainSink = sinkBuilder().withoutExtension("PIPELINING").start();
                var session = client.open(SOURCE, endpoint(plainSink), EHLO_NAME, Security.NONE)) {
            var asked = new AtomicInteger();
            assertThat(session.send(message(RECIPIENT), () -> {
                asked.incrementAndGet();
                return Optional.empty();
            })).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(asked).hasValue(0);
        }

        try (var smallSink = sinkBuilder().maxMessageSizeBytes(200).start();
                var session = client.open(SOURCE, endpoint(smallSink), EHLO_NAME, Security.NONE)) {
            var mails = recordCommands(smallSink, SmtpCommand.MAIL);
            var large = new SmtpMessage(SENDER, MailAddress.parse("carol@example.net"),
                    bytes(MESSAGE + "x".repeat(300) + "\r\n"), DsnRequest.NONE);
            assertThat(session.send(message(RECIPIENT), () -> Optional.of(large))).isInstanceOf(DeliveryOutcome.Delivered.class);
            var refused = session.send(large, NextMessage.NONE);

            assertThat(refused).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(refused.attempt().code()).isEmpty();
            // As a server refusing it would say: RFC 3463 X.3.4, message too big for system.
            assertThat(refused.attempt().status()).contains("5.3.4");
            assertThat(refused.attempt().description()).contains("accepts (SIZE)");
            assertThat(mails).hasSize(1);
            assertThat(session.isUsable()).isTrue();
        }
    }

    /** A session that pipelined a message will send no other before it: that would put the dialogue out of step. */
    @Test
    void refusesToSendAnotherMessageThanTheOnePipelined() throws Exception {
        try (var session = open(SOURCE, Security.NONE)) {
            var pipelined = message(MailAddress.parse("carol@example.net"));
            session.send(message(RECIPIENT), () -> Optional.of(pipelined));

            var thrown = catchThrowableOfType(IllegalStateException.class,
                    () -> session.send(message(MailAddress.parse("dave@example.net")), NextMessage.NONE));

            assertThat(thrown).hasMessageContaining("carol@example.net");
            assertThat(session.isUsable()).isFalse();
        }
        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5))).extracting(message -> message.recipients().getFirst())
                .containsExactly("bob@example.net");
    }

    @Test
    void bouncesWhenRcptReturns550AndKeepsTheConnectionInStep() throws Exception {
        sink.script().on(SmtpCommand.RCPT).forAddress("bob@example.net").reply(550, "5.1.1 no such user");

        try (var session = open(SOURCE, Security.NONE)) {
            var refused = session.send(SENDER, RECIPIENT, bytes(MESSAGE));
            var next = session.send(SENDER, MailAddress.parse("carol@example.net"), bytes(MESSAGE));

            assertThat(refused).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(refused.attempt().state()).isEqualTo(AttemptState.RCPTTO);
            assertThat(refused.attempt().result()).isEqualTo(AttemptResult.ERROR);
            assertThat(refused.attempt().code()).hasValue(550);
            assertThat(refused.attempt().status()).contains("5.1.1");
            assertThat(refused.attempt().description()).isEqualTo("no such user");
            assertThat(next).isInstanceOf(DeliveryOutcome.Delivered.class);
        }
        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5))).singleElement()
                .extracting(message -> message.recipients().getFirst()).isEqualTo("carol@example.net");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "MAIL, 451, MAILFROM",
            "RCPT, 450, RCPTTO",
            "RCPT, 451, RCPTTO",
            "DATA, 451, DATA",
            "END_OF_DATA, 451, MESSAGE",
    })
    void defersOnATemporaryRefusalAndStaysUsable(SmtpCommand command, int code, AttemptState state) throws Exception {
        sink.script().on(command).reply(code, "4.7.1 try again later");

        try (var session = open(SOURCE, Security.NONE)) {
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(state);
            assertThat(outcome.attempt().code()).hasValue(code);
            assertThat(outcome.attempt().status()).contains("4.7.1");
            assertThat(session.isUsable()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "MAIL, 553, MAILFROM",
            "DATA, 554, DATA",
            "END_OF_DATA, 554, MESSAGE",
    })
    void bouncesOnAPermanentRefusalOfTheMessage(SmtpCommand command, int code, AttemptState state) throws Exception {
        sink.script().on(command).reply(code, "5.7.1 not wanted");

        try (var session = open(SOURCE, Security.NONE)) {
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(outcome).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(state);
            assertThat(outcome.attempt().code()).hasValue(code);
        }
    }

    @Test
    void defersAndGivesUpTheConnectionOn421() throws Exception {
        sink.script().on(SmtpCommand.MAIL).reply(421, "4.3.2 shutting down");

        try (var session = open(SOURCE, Security.NONE)) {
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(AttemptState.MAILFROM);
            assertThat(outcome.attempt().code()).hasValue(421);
            assertThat(session.isUsable()).isFalse();
        }
    }

    @Test
    void timesOutOnAStalledServerAndGivesUpTheConnection() throws Exception {
        sink.script().on(SmtpCommand.RCPT).delayed(Duration.ofSeconds(4));
        client = new SmtpClient(ONE_SECOND, CERTIFICATE.clientContext(), CLOCK);

        try (var session = open(SOURCE, Security.NONE)) {
            long start = System.nanoTime();
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(AttemptState.RCPTTO);
            assertThat(outcome.attempt().result()).isEqualTo(AttemptResult.TIMEOUT);
            assertThat(outcome.attempt().code()).isEmpty();
            assertThat(session.isUsable()).isFalse();
            assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE)))
                    .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        }
    }

    @Test
    void reportsALostConnectionWhenTheServerHangsUp() throws Exception {
        sink.script().on(SmtpCommand.END_OF_DATA).dropConnection();

        try (var session = open(SOURCE, Security.NONE)) {
            var outcome = session.send(SENDER, RECIPIENT, bytes(MESSAGE));

            assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(AttemptState.MESSAGE);
            assertThat(outcome.attempt().result()).isEqualTo(AttemptResult.LOST);
            assertThat(session.isUsable()).isFalse();
        }
    }

    @Test
    void usesStartTlsWhenOfferedAndOpportunistic() throws Exception {
        try (var session = open(SOURCE, Security.OPPORTUNISTIC)) {
            assertThat(session.tls()).isTrue();
            // The sink offers STARTTLS only before TLS: these are the extensions of the second EHLO.
            assertThat(session.extensions()).contains("PIPELINING").doesNotContain("STARTTLS");
            // The second message's transaction goes behind the first one's end of data, over TLS.
            var pipelined = message(MailAddress.parse("carol@example.net"));
            var first = session.send(message(RECIPIENT), () -> Optional.of(pipelined));
            assertThat(first).isInstanceOf(DeliveryOutcome.Delivered.class);
            var second = session.send(pipelined, NextMessage.NONE);
            assertThat(second).isInstanceOf(DeliveryOutcome.Delivered.class);

            // The results' messages, dsn, cipher and certificate (MailerQ's result keys).
            var facts = second.attempt().session().orElseThrow();
            assertThat(first.attempt().session().orElseThrow().messages()).isEqualTo(1);
            assertThat(facts.messages()).isEqualTo(2);
            assertThat(facts.dsn()).isFalse();
            var tls = facts.tls().orElseThrow();
            assertThat(tls.version()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(tls.cipher()).startsWith("TLS_");
            assertThat(tls.bits()).isIn(128, 256);
            assertThat(tls.subject()).isEqualTo(CERTIFICATE.certificate().getSubjectX500Principal().getName());
            assertThat(tls.notAfter()).isEqualTo(CERTIFICATE.certificate().getNotAfter().toInstant());
            assertThat(tls.verified()).as("opportunistic TLS takes the certificate as it comes").isFalse();
        }

        var received = sink.awaitMessages(2, Duration.ofSeconds(5));
        assertThat(received).extracting(message -> message.recipients().getFirst())
                .containsExactly("bob@example.net", "carol@example.net");
        assertThat(received).allSatisfy(message -> {
            assertThat(message.tls()).isTrue();
            assertThat(message.heloName()).isEqualTo(EHLO_NAME);
        });
    }

    @Test
    void sendsInPlainTextWhenOpportunisticAndTlsIsNotOffered() throws Exception {
        try (var plainSink = SmtpSink.builder().listen(SINK_ADDRESS, 0).withoutTls().start();
                var session = client.open(SOURCE, endpoint(plainSink), EHLO_NAME, Security.OPPORTUNISTIC)) {
            assertThat(session.tls()).isFalse();
            assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE))).isInstanceOf(DeliveryOutcome.Delivered.class);
        }
    }

    @Test
    void neverStartsTlsWhenSecurityIsNone() throws Exception {
        try (var session = open(SOURCE, Security.NONE)) {
            assertThat(session.tls()).isFalse();
            session.send(SENDER, RECIPIENT, bytes(MESSAGE));
        }

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst().tls()).isFalse();
    }

    @Test
    void failsAtStartTlsWhenRequiredAndNotOffered() throws Exception {
        try (var plainSink = SmtpSink.builder().listen(SINK_ADDRESS, 0).withoutTls().start()) {
            var quits = countCommands(plainSink, SmtpCommand.QUIT);
            var failure = catchThrowableOfType(SmtpFailure.class,
                    () -> client.open(SOURCE, endpoint(plainSink), EHLO_NAME, Security.REQUIRED));

            assertThat(failure.outcome()).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(failure.outcome().attempt().state()).isEqualTo(AttemptState.STARTTLS);
            assertThat(failure.outcome().attempt().description())
                    .startsWith("STARTTLS required but not offered by localhost");
            assertThat(quits).hasValue(1);
        }
    }

    @Test
    void failsAtStartTlsWhenTheCommandIsRefused() {
        sink.script().on(SmtpCommand.STARTTLS).reply(454, "4.7.0 TLS not available");

        var attempt = openFailure(SOURCE, Security.REQUIRED);

        assertThat(attempt.state()).isEqualTo(AttemptState.STARTTLS);
        assertThat(attempt.code()).hasValue(454);
    }

    @Test
    void failsTheHandshakeWhenVerifiedAndTheCertificateIsNotTrusted() throws NoSuchAlgorithmException {
        client = new SmtpClient(TIMEOUTS, SSLContext.getDefault(), CLOCK);

        var attempt = openFailure(SOURCE, Security.VERIFIED);

        assertThat(attempt.state()).isEqualTo(AttemptState.HANDSHAKE);
        assertThat(attempt.result()).isEqualTo(AttemptResult.ERROR);
        assertThat(sink.messages()).isEmpty();
    }

    @Test
    void failsTheHandshakeWhenVerifiedAndTheCertificateNamesAnotherHost() {
        var failure = catchThrowableOfType(SmtpFailure.class, () -> client.open(SOURCE,
                new SmtpEndpoint("mx.example.com", SINK_ADDRESS, sink.port()), EHLO_NAME, Security.VERIFIED));

        assertThat(failure.outcome().attempt().state()).isEqualTo(AttemptState.HANDSHAKE);
    }

    @Test
    void deliversOverVerifiedTlsWhenTheCertificateIsTrustedForTheHostName() throws Exception {
        try (var session = open(SOURCE, Security.VERIFIED)) {
            assertThat(session.tls()).isTrue();
            assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE))).isInstanceOf(DeliveryOutcome.Delivered.class);
        }

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst().tls()).isTrue();
    }

    @Test
    void deliversDotStuffedContentUnchanged() throws Exception {
        var text = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n.";

        try (var session = open(SOURCE, Security.NONE)) {
            session.send(SENDER, RECIPIENT, bytes(text));
        }

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst().text()).isEqualTo(text + "\r\n");
    }

    @Test
    void deliversBareLineFeedsAsCrlf() throws Exception {
        try (var session = open(SOURCE, Security.NONE)) {
            session.send(SENDER, RECIPIENT, bytes("Subject: unix\n\nline one\nline two\n"));
        }

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(5)).getFirst().text())
                .isEqualTo("Subject: unix\r\n\r\nline one\r\nline two\r\n");
    }

    @Test
    void declaresTheSizeAndEightBitBodyInMailFrom() throws Exception {
        var mailCommands = recordCommands(SmtpCommand.MAIL);
        // 8-bit in the body only: UTF-8 in the headers would need SMTPUTF8 (RFC 6532).
        var eightBit = "Subject: coffee\r\n\r\nun caf\u00e9\r\n".getBytes(StandardCharsets.UTF_8);

        try (var session = open(SOURCE, Security.NONE)) {
            session.send(SENDER, RECIPIENT, bytes(MESSAGE));
            session.send(SENDER, RECIPIENT, eightBit);
        }

        assertThat(mailCommands).containsExactly("MAIL FROM:<sender@ferry.test> SIZE=" + MESSAGE.length(),
                "MAIL FROM:<sender@ferry.test> SIZE=" + eightBit.length + " BODY=8BITMIME");
        assertThat(sink.awaitMessages(2, Duration.ofSeconds(5)).get(1).data()).isEqualTo(eightBit);
    }

    @Test
    void bouncesWithoutSendingAMessageLargerThanTheServerAccepts() throws Exception {
        try (var smallSink = sinkBuilder().maxMessageSizeBytes(100).start();
                var session = client.open(SOURCE, endpoint(smallSink), EHLO_NAME, Security.NONE)) {
            var mailCommands = recordCommands(smallSink, SmtpCommand.MAIL);

            var outcome = session.send(SENDER, RECIPIENT, bytes("Subject: big\r\n\r\n" + "x".repeat(200) + "\r\n"));

            assertThat(mailCommands).isEmpty();
            assertThat(outcome).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(AttemptState.MAILFROM);
            assertThat(outcome.attempt().code()).isEmpty();
            assertThat(outcome.attempt().description()).contains("218 bytes", "100 bytes");
            assertThat(session.messagesSent()).isZero();
            assertThat(session.isUsable()).isTrue();
            assertThat(session.send(SENDER, RECIPIENT, bytes("Subject: small\r\n\r\nok\r\n")))
                    .isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(mailCommands).hasSize(1);
        }
    }

    @Test
    void failsAtIntroOnANegativeGreeting() {
        sink.script().on(SmtpCommand.GREETING).reply(554, "5.3.2 no service for you");

        var attempt = openFailure(SOURCE, Security.NONE);

        assertThat(attempt.state()).isEqualTo(AttemptState.INTRO);
        assertThat(attempt.result()).isEqualTo(AttemptResult.ERROR);
        assertThat(attempt.code()).hasValue(554);
        assertThat(attempt.description()).isEqualTo("no service for you");
    }

    @Test
    void failsAtConnectWhenNothingListens() throws IOException {
        int closedPort;
        try (var probe = new ServerSocket(0, 1, SINK_ADDRESS)) {
            closedPort = probe.getLocalPort();
        }

        var failure = catchThrowableOfType(SmtpFailure.class, () -> client.open(SOURCE,
                new SmtpEndpoint("localhost", SINK_ADDRESS, closedPort), EHLO_NAME, Security.NONE));

        assertThat(failure.outcome().attempt().state()).isEqualTo(AttemptState.CONNECT);
        assertThat(failure.outcome().attempt().to()).contains(SINK_ADDRESS);
    }

    @Test
    void failsAtBindWhenTheSourceAddressIsNotLocal() {
        var notLocal = address("192.0.2.1");

        var attempt = openFailure(notLocal, Security.NONE);

        assertThat(attempt.state()).isEqualTo(AttemptState.BIND);
        assertThat(attempt.result()).isEqualTo(AttemptResult.ERROR);
        assertThat(attempt.from()).contains(notLocal);
        assertThat(attempt.description()).contains("192.0.2.1");
    }

    @Test
    void sendsQuitOnCloseOnlyOnce() throws Exception {
        var quits = countCommands(SmtpCommand.QUIT);
        var session = open(OTHER_SOURCE, Security.NONE);

        session.close();
        session.close();

        assertThat(quits).hasValue(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.openConnections() == 0);
        assertThat(session.isUsable()).isFalse();
        assertThat(session.send(SENDER, RECIPIENT, bytes(MESSAGE)))
                .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
    }

    private static SmtpMessage message(MailAddress recipient) {
        return new SmtpMessage(SENDER, recipient, bytes(MESSAGE), DsnRequest.NONE);
    }

    private SmtpSession open(InetAddress source, Security security) throws SmtpFailure {
        return client.open(source, endpoint(sink), EHLO_NAME, security);
    }

    private Attempt openFailure(InetAddress source, Security security) {
        var failure = catchThrowableOfType(SmtpFailure.class, () -> open(source, security).close());
        assertThat(failure).as("opening should have failed").isNotNull();
        assertThat(failure.outcome()).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        return failure.outcome().attempt();
    }

    /** Counts the commands the sink sees, without changing its answers. */
    private AtomicInteger countCommands(SmtpCommand command) {
        return countCommands(sink, command);
    }

    private static AtomicInteger countCommands(SmtpSink counted, SmtpCommand command) {
        var count = new AtomicInteger();
        counted.script().on(command).matching(line -> {
            count.incrementAndGet();
            return false;
        });
        return count;
    }

    /** Records the command lines the sink sees, without changing its answers. */
    private List<String> recordCommands(SmtpCommand command) {
        return recordCommands(sink, command);
    }

    private static List<String> recordCommands(SmtpSink recorded, SmtpCommand command) {
        var lines = new CopyOnWriteArrayList<String>();
        recorded.script().on(command).matching(line -> {
            lines.add(line);
            return false;
        });
        return lines;
    }

    private static SmtpSink.Builder sinkBuilder() {
        return SmtpSink.builder().listen(SINK_ADDRESS, 0).certificate(CERTIFICATE);
    }

    private static SmtpEndpoint endpoint(SmtpSink target) {
        return new SmtpEndpoint("localhost", target.endpoint().getAddress(), target.port());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
