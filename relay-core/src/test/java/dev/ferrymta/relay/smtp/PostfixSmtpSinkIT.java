package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import dev.ferrymta.relay.message.Security;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SMTP client against Postfix's {@code smtp-sink} (Debian's postfix package, which
 * {@code dev/test} installs unconfigured): an SMTP server we did not write, which offers
 * PIPELINING and dumps each transaction it accepts to a file of its own.
 */
class PostfixSmtpSinkIT {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final InetAddress SOURCE = address("127.0.0.2");
    private static final InetAddress LISTEN = address("127.0.0.1");
    private static final Optional<MailAddress> SENDER = Optional.of(MailAddress.parse("sender@ferry.test"));
    private static final int MESSAGES = 30;

    @TempDir
    Path dumps;
    @TempDir
    Path logs;
    private Process sink;
    private int port;

    @BeforeEach
    void startSmtpSink() throws Exception {
        assertThat(SMTP_SINK).as("Postfix's smtp-sink (apt-get install postfix; dev/test does)").isExecutable();
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (var free = new ServerSocket(0, 1, LISTEN)) {
            port = free.getLocalPort();
        }
        var command = new ArrayList<>(List.of(SMTP_SINK.toString(), "-d", dumps.resolve("message.").toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            // smtp-sink will not keep root's privileges after opening its socket.
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of(LISTEN.getHostAddress() + ":" + port, "16"));
        sink = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve("smtp-sink.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                new Socket(LISTEN, port).close();
                return;
            } catch (IOException notYet) {
                assertThat(sink.isAlive()).as("smtp-sink exited with %s", sink.isAlive() ? "" : sink.exitValue()).isTrue();
                assertThat(System.nanoTime()).as("smtp-sink listening within 10 s").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @AfterEach
    void stopSmtpSink() throws InterruptedException {
        if (sink != null) {
            sink.destroy();
            sink.waitFor();
        }
    }

    /**
     * Thirty messages on one connection, each one's MAIL, RCPT and DATA sent behind the previous
     * one's end of data (RFC 2920 section 3.1): each is accepted with its own reply, and
     * smtp-sink dumps thirty transactions, each with its own recipient and text.
     */
    @Test
    void deliversMessagesPipelinedBehindEachOthersEndOfData() throws Exception {
        var client = new SmtpClient(SmtpTimeouts.of(Duration.ofSeconds(10)), SSLContext.getDefault(), Clock.systemUTC());
        var messages = new ArrayList<SmtpMessage>();
        for (int i = 0; i < MESSAGES; i++) {
            var text = "Subject: message " + i + "\r\n\r\nThis is message " + i + ".\r\n.leading dot\r\n";
            messages.add(new SmtpMessage(SENDER, MailAddress.parse("user" + i + "@example.net"),
                    text.getBytes(StandardCharsets.US_ASCII), DsnRequest.NONE));
        }
        var pipelined = new ArrayList<SmtpMessage>();

        try (var session = client.open(SOURCE, new SmtpEndpoint("smtp-sink", LISTEN, port), "relay.ferry.test", Security.NONE)) {
            assertThat(session.extensions()).contains("PIPELINING");
            for (int i = 0; i < MESSAGES; i++) {
                int following = i + 1;
                var outcome = session.send(messages.get(i), () -> {
                    if (following == MESSAGES) {
                        return Optional.empty();
                    }
                    pipelined.add(messages.get(following));
                    return Optional.of(messages.get(following));
                });
                assertThat(outcome).as("message %d: %s", i, outcome.attempt().description())
                        .isInstanceOf(DeliveryOutcome.Delivered.class);
            }
            assertThat(session.messagesSent()).isEqualTo(MESSAGES);
        }

        assertThat(pipelined).hasSize(MESSAGES - 1);
        var dumped = new ArrayList<String>();
        try (Stream<Path> files = Files.list(dumps)) {
            for (var file : files.toList()) {
                dumped.add(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(dumped).hasSize(MESSAGES);
        for (int n = 0; n < MESSAGES; n++) {
            int i = n;
            var recipient = "user" + i + "@example.net";
            assertThat(dumped).as("the dump of the message to %s", recipient)
                    .filteredOn(dump -> dump.contains("<" + recipient + ">"))
                    .singleElement().satisfies(dump -> assertThat(dump).contains("This is message " + i + ".", "leading dot"));
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
