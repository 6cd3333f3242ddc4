package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpReplyTest {

    @Test
    void encodesASingleLineReply() {
        assertThat(wire(new SmtpReply(250, "2.0.0 ok"))).isEqualTo("250 2.0.0 ok\r\n");
    }

    @Test
    void encodesAMultiLineReplyWithDashesOnAllButTheLastLine() {
        assertThat(wire(new SmtpReply(250, "localhost\nPIPELINING\n8BITMIME")))
                .isEqualTo("250-localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    }

    @ParameterizedTest
    @CsvSource({"220, true", "250, true", "354, true", "421, false", "450, false", "550, false"})
    void isPositiveBelow400(int code, boolean positive) {
        assertThat(new SmtpReply(code, "text").positive()).isEqualTo(positive);
    }

    @Test
    void refusesACodeOutsideSmtpReplyCodes() {
        assertThatThrownBy(() -> new SmtpReply(99, "text")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String wire(SmtpReply reply) {
        return new String(reply.encode(), StandardCharsets.US_ASCII);
    }
}
