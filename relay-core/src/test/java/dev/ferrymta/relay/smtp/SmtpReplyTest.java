package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpReplyTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", delimiter = '|', value = {
            "550 | 5.1.1 no such user   | 5.1.1 | no such user",
            "250 | 2.0.0 Ok: queued     | 2.0.0 | Ok: queued",
            "550 | no such user         | -     | no such user",
            "550 | 4.1.1 mismatched     | -     | 4.1.1 mismatched",
            "421 | 4.7.0 try later      | 4.7.0 | try later",
    })
    void takesTheEnhancedStatusOnlyWhenItsClassMatchesTheCode(int code, String line, String status, String text) {
        var reply = SmtpReply.of(code, line);

        assertThat(reply.enhancedStatus().orElse(null)).isEqualTo(status);
        assertThat(reply.text()).isEqualTo(text);
    }

    @Test
    void joinsTheLinesOfAMultilineReply() {
        assertThat(SmtpReply.of(250, List.of("mx.example.com", "PIPELINING", "SIZE 1000")).text())
                .isEqualTo("mx.example.com PIPELINING SIZE 1000");
    }

    @Test
    void boundsAHugeReplyText() {
        assertThat(SmtpReply.of(550, "x".repeat(10_000)).text()).hasSize(503);
    }

    @Test
    void refusesCodesOutsideSmtp() {
        assertThatThrownBy(() -> SmtpReply.of(199, "no")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmtpReply.of(600, "no")).isInstanceOf(IllegalArgumentException.class);
    }
}
