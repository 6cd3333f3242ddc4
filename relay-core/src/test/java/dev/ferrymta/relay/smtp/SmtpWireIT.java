package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.message.Security;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the client's commands arrive on the wire, and how it copes with servers that misbehave at
 * the byte level, against a {@link RawSmtpServer}. A client that waited for each reply where it
 * should pipeline would deadlock with these servers, which read all pipelined commands before
 * answering, and time out.
 */
class SmtpWireIT {

    private static final Duration DIALOGUE_TIMEOUT = Duration.ofSeconds(10);
    private static final Optional<MailAddress> SENDER = Optional.of(MailAddress.parse("sender@ferry.test"));
    private static final MailAddress RECIPIENT = MailAddress.parse("bob@example.net");
    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    private SmtpClient client;
    private InetAddress source;

    @BeforeEach
    void createClient() throws Exception {
        client = new SmtpClient(SmtpTimeouts.of(Duration.ofSeconds(1)), SSLContext.getDefault(), Clock.systemUTC());
        source = InetAddress.getByName("127.0.0.2");
    }

    @Test
    void pipelinesMailRcptAndDataWhenOfferedAndNeedsNoRsetAfterADeliveredMessage() throws Exception {
        List<String> batches = new ArrayList<>();
        try (var server = RawSmtpServer.start(wire -> {
            greetAndHello(wire, "250-raw.ferry.test\r\n250-PIPELINING\r\n250 SIZE 1000000\r\n");
            batches.add(readAll(wire, 3));
            wire.write("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go on\r\n");
            wire.skipData();
            wire.write("250 2.0.0 queued\r\n");
            batches.add(readAll(wire, 3));
            wire.write("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go on\r\n");
            wire.skipData();
            wire.write("250 2.0.0 queued\r\n");
            assertThat(wire.readLine()).isEqualTo("QUIT");
            wire.write("221 bye\r\n");
        })) {
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                assertThat(session.send(SENDER, RECIPIENT, MESSAGE)).isInstanceOf(DeliveryOutcome.Delivered.class);
                assertThat(session.send(SENDER, RECIPIENT, MESSAGE)).isInstanceOf(DeliveryOutcome.Delivered.class);
            }
            server.awaitDialogue(DIALOGUE_TIMEOUT);
        }

        var mailFrom = "MAIL FROM:<sender@ferry.test> SIZE=" + MESSAGE.length;
        assertThat(batches).containsExactly(mailFrom + "|RCPT TO:<bob@example.net>|DATA",
                mailFrom + "|RCPT TO:<bob@example.net>|DATA");
    }

    /**
     * RFC 2920 section 3.1: the next transaction's MAIL, RCPT and DATA leave with the end of
     * data, before its reply. The server here reads them before it answers the final dot, which
     * a client waiting for that reply would never send; and it answers all four at once.
     */
    @Test
    void startsTheNextTransactionBeforeTheReplyToTheEndOfData() throws Exception {
        List<String> batches = new ArrayList<>();
        try (var server = RawSmtpServer.start(wire -> {
            greetAndHello(wire, "250-raw.ferry.test\r\n250 PIPELINING\r\n");
            batches.add(readAll(wire, 3));
            wire.write("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go on\r\n");
            wire.skipData();
            batches.add(readAll(wire, 3));
            wire.write("250 2.0.0 first queued\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go on\r\n");
            wire.skipData();
            wire.write("250 2.0.0 second queued\r\n");
            assertThat(wire.readLine()).isEqualTo("QUIT");
            wire.write("221 bye\r\n");
        })) {
            var second = new SmtpMessage(SENDER, MailAddress.parse("carol@example.net"), MESSAGE, DsnRequest.NONE);
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                var first = session.send(new SmtpMessage(SENDER, RECIPIENT, MESSAGE, DsnRequest.NONE), () -> Optional.of(second));
                assertThat(first).isInstanceOf(DeliveryOutcome.Delivered.class);
                assertThat(first.attempt().description()).contains("first queued");
                var next = session.send(second, NextMessage.NONE);
                assertThat(next).isInstanceOf(DeliveryOutcome.Delivered.class);
                assertThat(next.attempt().description()).contains("second queued");
            }
            server.awaitDialogue(DIALOGUE_TIMEOUT);
        }

        assertThat(batches).containsExactly("MAIL FROM:<sender@ferry.test>|RCPT TO:<bob@example.net>|DATA",
                "MAIL FROM:<sender@ferry.test>|RCPT TO:<carol@example.net>|DATA");
    }

    /**
     * A server that drops what follows the end of data, PIPELINING or not, answers the final dot
     * and never the MAIL behind it: the pipelined message times out at {@code mailfrom}, having
     * sent nothing more (the lane then sends it again on a new connection, see DeliveryLane).
     */
    @Test
    void timesOutAtMailWhenTheServerDropsWhatFollowedTheEndOfData() throws Exception {
        try (var server = RawSmtpServer.start(wire -> {
            greetAndHello(wire, "250-raw.ferry.test\r\n250 PIPELINING\r\n");
            readAll(wire, 3);
            wire.write("250 ok\r\n250 ok\r\n354 go on\r\n");
            wire.skipData();
            readAll(wire, 3);
            wire.write("250 2.0.0 queued\r\n");
            // and nothing more: the next commands were "discarded". Whatever else comes goes unanswered.
            try {
                while (true) {
                    wire.readLine();
                }
            } catch (java.io.IOException hungUp) {
                // the client gave up
            }
        })) {
            var second = new SmtpMessage(SENDER, MailAddress.parse("carol@example.net"), MESSAGE, DsnRequest.NONE);
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                assertThat(session.send(new SmtpMessage(SENDER, RECIPIENT, MESSAGE, DsnRequest.NONE), () -> Optional.of(second)))
                        .isInstanceOf(DeliveryOutcome.Delivered.class);
                var unanswered = session.send(second, NextMessage.NONE);
                assertThat(unanswered).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(unanswered.attempt().state()).isEqualTo(AttemptState.MAILFROM);
                assertThat(unanswered.attempt().result()).isEqualTo(AttemptResult.TIMEOUT);
                assertThat(session.isUsable()).isFalse();
            }
        }
    }

    @Test
    void readsEveryPipelinedReplyWhenMailIsRefusedAndSendsNoData() throws Exception {
        try (var server = RawSmtpServer.start(wire -> {
            greetAndHello(wire, "250-raw.ferry.test\r\n250 PIPELINING\r\n");
            readAll(wire, 3);
            wire.write("550 5.7.1 sender refused\r\n503 5.5.1 need MAIL first\r\n503 5.5.1 need MAIL first\r\n");
            // Nothing but the next transaction may follow: no message text.
            assertThat(readAll(wire, 4)).startsWith("RSET|MAIL FROM:");
            wire.write("250 ok\r\n250 ok\r\n250 ok\r\n354 go on\r\n");
            wire.skipData();
            wire.write("250 queued\r\n");
            assertThat(wire.readLine()).isEqualTo("QUIT");
            wire.write("221 bye\r\n");
        })) {
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                var refused = session.send(SENDER, RECIPIENT, MESSAGE);

                assertThat(refused).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
                assertThat(refused.attempt().state()).isEqualTo(AttemptState.MAILFROM);
                assertThat(refused.attempt().code()).hasValue(550);
                assertThat(session.send(SENDER, RECIPIENT, MESSAGE)).isInstanceOf(DeliveryOutcome.Delivered.class);
            }
            server.awaitDialogue(DIALOGUE_TIMEOUT);
        }
    }

    @Test
    void sendsOneCommandAtATimeWithoutPipelining() throws Exception {
        List<String> commands = new ArrayList<>();
        try (var server = RawSmtpServer.start(wire -> {
            greetAndHello(wire, "250 raw.ferry.test\r\n");
            for (String reply : List.of("250 ok\r\n", "250 ok\r\n", "354 go on\r\n")) {
                commands.add(wire.readLine());
                // A pipelining client would have sent the next command already.
                Thread.sleep(100);
                assertThat(wire.hasMoreInput()).as("input after " + commands.getLast()).isFalse();
                wire.write(reply);
            }
            wire.skipData();
            wire.write("250 queued\r\n");
        })) {
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                assertThat(session.send(SENDER, RECIPIENT, MESSAGE)).isInstanceOf(DeliveryOutcome.Delivered.class);
            }
            server.awaitDialogue(DIALOGUE_TIMEOUT);
        }

        assertThat(commands).containsExactly("MAIL FROM:<sender@ferry.test>", "RCPT TO:<bob@example.net>", "DATA");
    }

    @Test
    void givesUpOnAServerThatNeverEndsItsGreeting() throws Exception {
        try (var server = RawSmtpServer.start(wire -> {
            var line = "220-" + "x".repeat(500) + "\r\n";
            while (true) {
                wire.write(line);
            }
        })) {
            var failure = catchThrowableOfType(SmtpFailure.class,
                    () -> client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE));

            assertThat(failure.outcome().attempt().state()).isEqualTo(AttemptState.INTRO);
            assertThat(failure.outcome().attempt().result()).isEqualTo(AttemptResult.ERROR);
            assertThat(failure.outcome().attempt().description()).contains("longer than 100 lines");
        }
    }

    @Test
    void failsAtIntroOnAGreetingWithoutACode() throws Exception {
        try (var server = RawSmtpServer.start(wire -> {
            wire.write("SSH-2.0-OpenSSH_9.6\r\n");
            wire.readLine();
        })) {
            var failure = catchThrowableOfType(SmtpFailure.class,
                    () -> client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE));

            assertThat(failure.outcome().attempt().state()).isEqualTo(AttemptState.INTRO);
            assertThat(failure.outcome().attempt().result()).isEqualTo(AttemptResult.ERROR);
            assertThat(failure.outcome().attempt().description()).contains("malformed reply line");
        }
    }

    @Test
    void timesOutWhenTheServerStopsReadingTheMessage() throws Exception {
        try (var server = RawSmtpServer.start(16 * 1024, wire -> {
            greetAndHello(wire, "250 raw.ferry.test\r\n");
            for (String reply : List.of("250 ok\r\n", "250 ok\r\n", "354 go on\r\n")) {
                wire.readLine();
                wire.write(reply);
            }
            // Reads no more: the client's writes fill the windows and block.
            Thread.sleep(Duration.ofSeconds(10));
        })) {
            var large = ("x".repeat(998) + "\r\n").repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
            try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                long start = System.nanoTime();
                var outcome = session.send(SENDER, RECIPIENT, large);

                assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(outcome.attempt().state()).isEqualTo(AttemptState.MESSAGE);
                assertThat(outcome.attempt().result()).isEqualTo(AttemptResult.TIMEOUT);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(session.isUsable()).isFalse();
            }
        }
    }

    private static void greetAndHello(RawSmtpServer.Wire wire, String ehloReply) throws Exception {
        wire.write("220 raw.ferry.test ESMTP\r\n");
        assertThat(wire.readLine()).isEqualTo("EHLO relay.ferry.test");
        wire.write(ehloReply);
    }

    /**
     * Reads {@code count} lines before answering any: a client that waits for a reply between
     * them never sends the rest, and times out.
     */
    private static String readAll(RawSmtpServer.Wire wire, int count) throws Exception {
        var lines = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            lines.add(wire.readLine());
        }
        return String.join("|", lines);
    }
}
