package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpSinkIT {

    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private static final InetAddress SECOND_SOURCE = address("127.0.0.2");
    private static final InetAddress THIRD_SOURCE = address("127.0.0.3");
    private static final String SIMPLE_DATA = "Subject: hi\r\n\r\nhello\r\n";

    private SmtpSink sink;

    @BeforeEach
    void startSink() throws IOException {
        sink = SmtpSink.start(LOOPBACK, 0);
    }

    @AfterEach
    void closeSink() {
        sink.close();
    }

    @Test
    void recordsSourceAddressOfTheClient() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint(), SECOND_SOURCE)) {
            client.expect(220);
            client.command("EHLO relay.example");
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
        }

        assertThat(sink.messages()).singleElement()
                .extracting(ReceivedMessage::clientAddress).isEqualTo(SECOND_SOURCE);
    }

    @Test
    void recordsEhloNameAndVerb() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
        }

        ReceivedMessage message = sink.messages().get(0);
        assertThat(message.heloName()).isEqualTo("relay.example");
        assertThat(message.heloVerb()).isEqualTo(SmtpCommand.EHLO);
    }

    @Test
    void recordsHeloWhenTheClientSaysHelo() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(220);
            client.command("HELO old.example");
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
        }

        assertThat(sink.messages().get(0).heloVerb()).isEqualTo(SmtpCommand.HELO);
    }

    @Test
    void recordsEnvelopeSenderAndRecipients() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net", "c@example.org"), SIMPLE_DATA);
        }

        ReceivedMessage message = sink.messages().get(0);
        assertThat(message.sender()).isEqualTo("a@example.com");
        assertThat(message.recipients()).containsExactly("b@example.net", "c@example.org");
    }

    @Test
    void recordsNullReversePathAsEmptySender() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("", List.of("b@example.net"), SIMPLE_DATA);
        }

        assertThat(sink.messages().get(0).sender()).isEmpty();
    }

    @Test
    void acceptsSizeAndBodyParametersOnMail() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("MAIL FROM:<a@example.com> SIZE=42 BODY=8BITMIME").code()).isEqualTo(250);
        }
    }

    @Test
    void undoesDotStuffingAndKeepsLineEndingsAsReceived() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"),
                    "Subject: dots\r\n\r\n..leading dot\r\n...\r\nbare line feed\n..\r\nend\r\n");
        }

        assertThat(sink.messages().get(0).text())
                .isEqualTo("Subject: dots\r\n\r\n.leading dot\r\n..\r\nbare line feed\n.\r\nend\r\n");
    }

    @Test
    void endsDataOnlyAtADotLineAfterCrlf() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            // LF.CRLF is the SMTP smuggling pattern: it must show up in the data, not end it.
            client.sendMessage("a@example.com", List.of("b@example.net"), "one\n.\r\ntwo\r\n");
        }

        assertThat(sink.messages().get(0).text()).isEqualTo("one\n\r\ntwo\r\n");
    }

    @Test
    void storesTheMessageBytesUnchanged() throws IOException {
        String data = "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n\r\ncafé ☕\r\n";
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"), data);
        }

        assertThat(sink.messages().get(0).data()).isEqualTo(data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void advertisesPipeliningSizeEightBitMimeAndStartTls() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(220);
            SmtpTestClient.Reply ehlo = client.command("EHLO relay.example");

            assertThat(ehlo.lines()).contains("PIPELINING", "SIZE " + SmtpSink.DEFAULT_MAX_MESSAGE_SIZE_BYTES,
                    "8BITMIME", "STARTTLS");
        }
    }

    @Test
    void answersPipelinedCommandsInOrder() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.net>", "RCPT TO:<c@example.org>", "DATA");

            assertThat(List.of(client.read().code(), client.read().code(), client.read().code(), client.read().code()))
                    .containsExactly(250, 250, 250, 354);
        }
    }

    @Test
    void recordsAMessageWhosePipelinedCommandsArrivedInOneWrite() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.net>", "RCPT TO:<c@example.org>", "DATA");
            for (int reply = 0; reply < 4; reply++) {
                client.read();
            }
            client.write(SIMPLE_DATA + ".\r\n");
            client.expect(250);
        }

        assertThat(sink.messages()).singleElement()
                .extracting(ReceivedMessage::recipients).isEqualTo(List.of("b@example.net", "c@example.org"));
    }

    @Test
    void recordsMessagesOverOneConnectionWithTheSameConnectionId() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
            client.command("RSET");
            client.sendMessage("a@example.com", List.of("c@example.org"), SIMPLE_DATA);
        }

        List<ReceivedMessage> messages = sink.messages();
        assertThat(messages).extracting(ReceivedMessage::connectionId).containsOnly(messages.get(0).connectionId());
        assertThat(messages).extracting(ReceivedMessage::sequenceInConnection).containsExactly(1, 2);
    }

    @Test
    void givesEachConnectionItsOwnId() throws IOException {
        for (int connection = 0; connection < 2; connection++) {
            try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
                client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
            }
        }

        assertThat(sink.messages()).extracting(ReceivedMessage::connectionId).doesNotHaveDuplicates();
    }

    @Test
    void recordsAMessageSentAfterStartTlsAsTls() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.startTls(sink.certificate().orElseThrow().clientContext(), "127.0.0.1");
            client.command("EHLO relay.example");
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
        }

        assertThat(sink.messages()).singleElement().extracting(ReceivedMessage::tls).isEqualTo(true);
    }

    @Test
    void recordsAPlaintextMessageAsNotTls() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
        }

        assertThat(sink.messages()).singleElement().extracting(ReceivedMessage::tls).isEqualTo(false);
    }

    @Test
    void presentsACertificateForLocalhostThatTheClientVerifies() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.startTls(sink.certificate().orElseThrow().clientContext(), "localhost");

            assertThat(client.command("EHLO relay.example").code()).isEqualTo(250);
        }
    }

    @Test
    void requiresEhloAgainAfterStartTls() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.startTls(sink.certificate().orElseThrow().clientContext(), "127.0.0.1");

            assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(503);
        }
    }

    @Test
    void stopsOfferingStartTlsOnceTlsIsActive() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.startTls(sink.certificate().orElseThrow().clientContext(), "127.0.0.1");

            assertThat(client.command("EHLO relay.example").lines()).doesNotContain("STARTTLS");
        }
    }

    @Test
    void discardsPlaintextPipelinedAfterStartTls() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            // The injected NOOP must not be answered inside the TLS session (RFC 3207 section 4.2).
            client.write("STARTTLS\r\nNOOP\r\n");
            client.expect(220);
            client.startTlsHandshake(sink.certificate().orElseThrow().clientContext(), "127.0.0.1");

            assertThat(client.command("EHLO relay.example").text()).contains("greets relay.example");
        }
    }

    @Test
    void neitherOffersNorAcceptsStartTlsWhenTlsIsOff() throws IOException {
        try (SmtpSink plain = SmtpSink.builder().listen(LOOPBACK, 0).withoutTls().start();
                SmtpTestClient client = SmtpTestClient.connect(plain.endpoint())) {
            client.expect(220);

            assertThat(client.command("EHLO relay.example").lines()).doesNotContain("STARTTLS");
            assertThat(client.command("STARTTLS").code()).isEqualTo(502);
        }
    }

    @Test
    void rejectsMailBeforeEhlo() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(220);

            assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(503);
        }
    }

    @Test
    void rejectsRcptBeforeMail() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(503);
        }
    }

    @Test
    void rejectsDataWithoutRecipients() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");

            assertThat(client.command("DATA").code()).isEqualTo(554);
        }
    }

    @Test
    void rejectsMailWithoutAngleBrackets() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("MAIL FROM:a@example.com").code()).isEqualTo(501);
        }
    }

    @Test
    void rejectsUnknownCommands() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("VRFY root").code()).isEqualTo(500);
        }
    }

    @Test
    void rejectsAnOverlongLineAndCarriesOn() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("NOOP " + "x".repeat(100_000)).code()).isEqualTo(500);
            assertThat(client.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void forgetsTheTransactionOnRset() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");
            client.command("RSET");

            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(503);
        }
    }

    @Test
    void rejectsAMessageLargerThanTheLimit() throws IOException {
        try (SmtpSink small = SmtpSink.builder().listen(LOOPBACK, 0).maxMessageSizeBytes(100).start();
                SmtpTestClient client = SmtpTestClient.greeted(small.endpoint(), "relay.example")) {
            SmtpTestClient.Reply reply = client.sendMessage("a@example.com", List.of("b@example.net"),
                    "x".repeat(150) + "\r\n");

            assertThat(reply.code()).isEqualTo(552);
            assertThat(small.messages()).isEmpty();
        }
    }

    @Test
    void rejectsADeclaredSizeOverTheLimit() throws IOException {
        try (SmtpSink small = SmtpSink.builder().listen(LOOPBACK, 0).maxMessageSizeBytes(100).start();
                SmtpTestClient client = SmtpTestClient.greeted(small.endpoint(), "relay.example")) {
            assertThat(client.command("MAIL FROM:<a@example.com> SIZE=101").code()).isEqualTo(552);
        }
    }

    @Test
    void closesTheConnectionAfterQuit() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("QUIT").code()).isEqualTo(221);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void countsMaxConcurrentConnections() throws IOException {
        try (SmtpTestClient first = SmtpTestClient.connect(sink.endpoint())) {
            try (SmtpTestClient second = SmtpTestClient.connect(sink.endpoint());
                    SmtpTestClient third = SmtpTestClient.connect(sink.endpoint())) {
                // A greeting means the sink has accepted and counted the connection.
                first.expect(220);
                second.expect(220);
                third.expect(220);
            }
            await().until(sink::openConnections, open -> open == 1);
            try (SmtpTestClient fourth = SmtpTestClient.connect(sink.endpoint())) {
                fourth.expect(220);
            }
        }

        assertThat(sink.maxConcurrentConnections()).isEqualTo(3);
    }

    @Test
    void countsMaxConcurrentConnectionsPerClientAddress() throws IOException {
        try (SmtpTestClient first = SmtpTestClient.connect(sink.endpoint(), SECOND_SOURCE);
                SmtpTestClient second = SmtpTestClient.connect(sink.endpoint(), SECOND_SOURCE);
                SmtpTestClient third = SmtpTestClient.connect(sink.endpoint(), THIRD_SOURCE)) {
            first.expect(220);
            second.expect(220);
            third.expect(220);
        }

        assertThat(sink.maxConcurrentConnectionsFrom(SECOND_SOURCE)).isEqualTo(2);
        assertThat(sink.maxConcurrentConnectionsFrom(THIRD_SOURCE)).isEqualTo(1);
    }

    @Test
    void countsTheConnectionsItAccepted() throws IOException {
        for (int connection = 0; connection < 3; connection++) {
            try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
                client.expect(220);
            }
        }

        assertThat(sink.connectionsAccepted()).isEqualTo(3);
    }

    @Test
    void stopsCountingAConnectionAsOpenBeforeAnsweringQuit() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("QUIT");

            // No waiting: a client that reconnects right after 221 must not look concurrent.
            assertThat(sink.openConnections()).isZero();
        }
    }

    @Test
    void closesOpenConnectionsWhenClosed() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            sink.close();

            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void stopsListeningWhenClosed() throws IOException {
        InetSocketAddress endpoint = sink.endpoint();
        sink.close();

        assertThatThrownBy(() -> SmtpTestClient.connect(endpoint)).isInstanceOf(ConnectException.class);
    }

    @Test
    void forgetsMessagesAndCountsOnReset() throws IOException {
        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
            client.command("QUIT");
        }

        sink.reset();

        assertThat(sink.messages()).isEmpty();
        assertThat(sink.connectionsAccepted()).isZero();
        assertThat(sink.maxConcurrentConnections()).isZero();
    }

    @Test
    void awaitsMessagesThatArriveLater() throws Exception {
        Thread sender = Thread.ofVirtual().start(() -> {
            try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
                client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(sink.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
        sender.join();
    }

    @Test
    void listensOnPort25OfAnotherLoopbackAddress() throws IOException {
        // Binding below 1024 needs root, as an MTA's tests usually run in CI; elsewhere this says so.
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "binding port 25 needs root");
        InetAddress address = address("127.0.1.250");
        try (SmtpSink standard = SmtpSink.start(address, 25);
                SmtpTestClient client = SmtpTestClient.connect(new InetSocketAddress(address, 25))) {
            assertThat(client.read().code()).isEqualTo(220);
            assertThat(standard.endpoint()).isEqualTo(new InetSocketAddress(address, 25));
        }
    }

    @Test
    void listensOnSeveralAddresses() throws IOException {
        try (SmtpSink both = SmtpSink.builder().listen(LOOPBACK, 0).listen(SECOND_SOURCE, 0).start()) {
            for (InetSocketAddress endpoint : both.endpoints()) {
                try (SmtpTestClient client = SmtpTestClient.greeted(endpoint, "relay.example")) {
                    client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);
                }
            }

            assertThat(both.messages()).extracting(ReceivedMessage::serverEndpoint)
                    .containsExactlyElementsOf(both.endpoints());
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
