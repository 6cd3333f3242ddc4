package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.Security;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every reply has a deadline for the whole step (RFC 5321 section 4.5.3.2), not a timeout per
 * read: a server that sends its reply a byte at a time, each byte well within the timeout, is cut
 * off when the step's time is up, at whichever step it dribbles.
 */
class SmtpDeadlineIT {

    /** The step time the client is given. */
    private static final Duration STEP = Duration.ofSeconds(1);

    /** Between two bytes: well within the step, so a timeout per read would never fire. */
    private static final Duration DRIBBLE = Duration.ofMillis(250);

    /** A reply that takes 40 x 250 ms = 10 s to dribble out. */
    private static final String LONG = "-this reply comes one byte at a time.\r\n";

    private SmtpClient client;

    @BeforeEach
    void createClient() throws Exception {
        client = new SmtpClient(SmtpTimeouts.of(STEP), SSLContext.getDefault(), Clock.systemUTC());
    }

    /** Where the server dribbles. */
    enum Step {
        GREETING(AttemptState.INTRO),
        EHLO(AttemptState.EHLO),
        MAIL(AttemptState.MAILFROM),
        END_OF_DATA(AttemptState.MESSAGE);

        final AttemptState state;

        Step(AttemptState state) {
            this.state = state;
        }
    }

    private static void dribble(RawSmtpServer.Wire wire, String code) throws Exception {
        var text = code + LONG + code + " done\r\n";
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            try {
                wire.write(new String(new byte[] {b}, StandardCharsets.US_ASCII));
            } catch (IOException closed) {
                return; // the client gave up, as it should
            }
            Thread.sleep(DRIBBLE);
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aReplyDribbledByteByByteIsCutOffAtTheStepsDeadline(Step step) throws Exception {
        try (var server = RawSmtpServer.start(wire -> {
            if (step == Step.GREETING) {
                dribble(wire, "220");
                return;
            }
            wire.write("220 raw.ferry.test ready\r\n");
            wire.readLine();
            if (step == Step.EHLO) {
                dribble(wire, "250");
                return;
            }
            wire.write("250 raw.ferry.test\r\n");
            wire.readLine();
            if (step == Step.MAIL) {
                dribble(wire, "250");
                return;
            }
            wire.write("250 ok\r\n");
            wire.readLine();
            wire.write("250 ok\r\n");
            wire.readLine();
            wire.write("354 go on\r\n");
            wire.skipData();
            dribble(wire, "250");
        })) {
            var source = InetAddress.getByName("127.0.0.2");
            long started = System.nanoTime();
            DeliveryOutcome outcome;
            if (step == Step.GREETING || step == Step.EHLO) {
                outcome = catchThrowableOfType(SmtpFailure.class,
                        () -> client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)).outcome();
            } else {
                try (var session = client.open(source, server.endpoint(), "relay.ferry.test", Security.NONE)) {
                    outcome = session.send(Optional.of(MailAddress.parse("a@ferry.test")), MailAddress.parse("b@example.net"),
                            "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            var elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertThat(outcome).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(outcome.attempt().state()).isEqualTo(step.state);
            assertThat(outcome.attempt().result()).isEqualTo(AttemptResult.TIMEOUT);
            // The whole reply would take 10 s; the step's deadline is 1 s (plus the QUIT's wait).
            assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
        }
    }
}
