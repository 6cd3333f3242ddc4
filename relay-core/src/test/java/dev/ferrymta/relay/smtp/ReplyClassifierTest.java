package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.smtp.SmtpReply;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplyClassifierTest {

    private static DeliveryOutcome classify(AttemptState state, int code) throws Exception {
        return ReplyClassifier.classify(state, SmtpReply.of(code, "reply"), Instant.EPOCH, InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.1"), Optional.of("mx.example.com"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "MESSAGE, 250, Delivered",
            "DATA, 354, Delivered",
            "RCPTTO, 550, PermanentFailure",
            "RCPTTO, 552, PermanentFailure",
            "MAILFROM, 553, PermanentFailure",
            "MESSAGE, 554, PermanentFailure",
            "RCPTTO, 450, TemporaryFailure",
            "RCPTTO, 451, TemporaryFailure",
            "RCPTTO, 452, TemporaryFailure",
            "MESSAGE, 421, TemporaryFailure",
            "CONNECT, 554, TemporaryFailure",
            "CONNECT, 421, TemporaryFailure",
            "EHLO, 550, TemporaryFailure",
            "STARTTLS, 454, TemporaryFailure",
            "STARTTLS, 501, TemporaryFailure",
    })
    void judgesARefusalByStepAndCode(AttemptState state, int code, String expected) throws Exception {
        assertThat(classify(state, code).getClass().getSimpleName()).isEqualTo(expected);
    }

    @Test
    void recordsTheReplyInTheAttempt() throws Exception {
        var outcome = ReplyClassifier.classify(AttemptState.RCPTTO, SmtpReply.of(550, "5.1.1 no such user"), Instant.EPOCH,
                InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1"), Optional.of("mx.example.com"));

        var attempt = outcome.attempt();
        assertThat(attempt.result()).isEqualTo(AttemptResult.ERROR);
        assertThat(attempt.code()).hasValue(550);
        assertThat(attempt.status()).contains("5.1.1");
        assertThat(attempt.description()).isEqualTo("no such user");
        assertThat(attempt.from()).contains(InetAddress.getByName("127.0.0.2"));
        assertThat(attempt.mta()).contains("mx.example.com");
    }
}
