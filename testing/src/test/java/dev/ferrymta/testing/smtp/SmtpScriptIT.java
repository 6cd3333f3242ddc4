package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpScriptIT {

    private static final String SIMPLE_DATA = "Subject: hi\r\n\r\nhello\r\n";

    private SmtpSink sink;

    @BeforeEach
    void startSink() throws IOException {
        sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void closeSink() {
        sink.close();
    }

    @Test
    void rejectsOnlyTheScriptedRecipient() throws IOException {
        sink.script().on(SmtpCommand.RCPT).forAddress("bob@example.net").reply(550, "5.1.1 no such user");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");

            assertThat(client.command("RCPT TO:<bob@example.net>")).isEqualTo(
                    new SmtpTestClient.Reply(550, List.of("5.1.1 no such user")));
            assertThat(client.command("RCPT TO:<carol@example.net>").code()).isEqualTo(250);
        }
    }

    @Test
    void recordsOnlyTheRecipientsItAccepted() throws IOException {
        sink.script().on(SmtpCommand.RCPT).forAddress("bob@example.net").reply(550, "5.1.1 no such user");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<bob@example.net>");
            client.command("RCPT TO:<carol@example.net>");
            client.command("DATA");
            client.write(SIMPLE_DATA + ".\r\n");
            client.expect(250);
        }

        assertThat(sink.messages().get(0).recipients()).containsExactly("carol@example.net");
    }

    @Test
    void answersTheScriptedReplyOnlyAsManyTimesAsAsked() throws IOException {
        sink.script().on(SmtpCommand.RCPT).times(1).reply(450, "4.7.1 greylisted, try again later");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");

            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(450);
            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(250);
        }
    }

    @Test
    void appliesARuleToCommandLinesTheMatcherAccepts() throws IOException {
        sink.script().on(SmtpCommand.MAIL).matching(line -> line.contains("SIZE=")).reply(452, "4.3.1 out of room");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("MAIL FROM:<a@example.com> SIZE=10").code()).isEqualTo(452);
            assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
        }
    }

    @Test
    void appliesARuleOnlyToTheChosenClientAddress() throws IOException {
        InetAddress blocked = InetAddress.getByName("127.0.0.3");
        sink.script().on(SmtpCommand.GREETING).from(blocked).reply(554, "5.7.1 you are on a list");

        try (SmtpTestClient fine = SmtpTestClient.connect(sink.endpoint(), InetAddress.getByName("127.0.0.2"));
                SmtpTestClient refused = SmtpTestClient.connect(sink.endpoint(), blocked)) {
            assertThat(fine.read().code()).isEqualTo(220);
            assertThat(refused.read().code()).isEqualTo(554);
        }
    }

    @Test
    void delaysTheScriptedReply() throws IOException {
        Duration delay = Duration.ofMillis(500);
        sink.script().on(SmtpCommand.MAIL).delayed(delay);

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            long start = System.nanoTime();
            SmtpTestClient.Reply reply = client.command("MAIL FROM:<a@example.com>");

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(delay);
            assertThat(reply.code()).isEqualTo(250);
        }
    }

    @Test
    void delaysTheGreetingForASlowBanner() throws IOException {
        Duration delay = Duration.ofMillis(500);
        sink.script().on(SmtpCommand.GREETING).delayed(delay);

        long start = System.nanoTime();
        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(220);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(delay);
        }
    }

    @Test
    void dropsTheConnectionInsteadOfAnswering() throws IOException {
        sink.script().on(SmtpCommand.RCPT).dropConnection();

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");
            client.send("RCPT TO:<b@example.net>");

            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void recordsNothingWhenTheConnectionDropsAtTheEndOfData() throws IOException {
        sink.script().on(SmtpCommand.END_OF_DATA).dropConnection();

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<b@example.net>");
            client.command("DATA");
            client.write(SIMPLE_DATA + ".\r\n");

            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(sink.messages()).isEmpty();
    }

    @Test
    void greetsWith421AndClosesTheConnection() throws IOException {
        sink.script().on(SmtpCommand.GREETING).reply(421, "4.3.2 too busy, try later");

        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            assertThat(client.read().code()).isEqualTo(421);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void servesOnlyQuitAfterA554Greeting() throws IOException {
        sink.script().on(SmtpCommand.GREETING).reply(554, "5.7.1 no service");

        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(554);

            assertThat(client.command("EHLO relay.example").code()).isEqualTo(503);
            assertThat(client.command("QUIT").code()).isEqualTo(221);
        }
    }

    @Test
    void rejectsTheMessageAtTheEndOfDataWhenScripted() throws IOException {
        sink.script().on(SmtpCommand.END_OF_DATA).reply(554, "5.7.1 looks like spam");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            SmtpTestClient.Reply reply = client.sendMessage("a@example.com", List.of("b@example.net"), SIMPLE_DATA);

            assertThat(reply.code()).isEqualTo(554);
        }
        assertThat(sink.messages()).isEmpty();
    }

    @Test
    void refusesDataWhenScripted() throws IOException {
        sink.script().on(SmtpCommand.DATA).reply(451, "4.3.0 try again");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<b@example.net>");

            assertThat(client.command("DATA").code()).isEqualTo(451);
            assertThat(client.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void sendsAMultiLineScriptedReply() throws IOException {
        sink.script().on(SmtpCommand.EHLO).reply(250, "mx.example\nPIPELINING");

        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            client.expect(220);

            assertThat(client.command("EHLO relay.example").lines()).containsExactly("mx.example", "PIPELINING");
        }
    }

    @Test
    void leavesInvalidCommandsToTheNormalReplyWithoutUsingTheRule() throws IOException {
        sink.script().on(SmtpCommand.RCPT).times(1).reply(450, "4.7.1 greylisted");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(503);
            client.command("MAIL FROM:<a@example.com>");
            assertThat(client.command("RCPT TO:<b@example.net>").code()).isEqualTo(450);
        }
    }

    @Test
    void usesTheFirstRuleThatMatches() throws IOException {
        sink.script().on(SmtpCommand.NOOP).reply(250, "2.0.0 first");
        sink.script().on(SmtpCommand.NOOP).reply(250, "2.0.0 second");

        try (SmtpTestClient client = SmtpTestClient.greeted(sink.endpoint(), "relay.example")) {
            assertThat(client.command("NOOP").text()).isEqualTo("2.0.0 first");
        }
    }

    @Test
    void forgetsTheScriptOnReset() throws IOException {
        sink.script().on(SmtpCommand.GREETING).reply(554, "5.7.1 no service");

        sink.reset();

        try (SmtpTestClient client = SmtpTestClient.connect(sink.endpoint())) {
            assertThat(client.read().code()).isEqualTo(220);
        }
    }
}
