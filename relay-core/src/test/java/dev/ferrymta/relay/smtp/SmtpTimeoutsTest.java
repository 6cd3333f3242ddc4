package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpTimeoutsTest {

    @Test
    void usesTheRfcTimeoutsWhenTheSmtpTimeoutIsLonger() {
        assertThat(SmtpTimeouts.of(Duration.ofHours(1))).isEqualTo(new SmtpTimeouts(Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(10)));
    }

    @Test
    void theDefaultSmtpTimeoutGivesEachStepTheRfcsMinimum() {
        // RFC 5321 4.5.3.2: greeting and commands 5 minutes, the reply to the final dot 10; a
        // shorter wait there sends the message twice when a slow server accepts it after all.
        assertThat(SmtpTimeouts.of(Duration.ofMinutes(10))).isEqualTo(new SmtpTimeouts(Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(10)));
    }

    @Test
    void capsEveryTimeoutAtAShortSmtpTimeout() {
        var ten = Duration.ofSeconds(10);

        assertThat(SmtpTimeouts.of(ten)).isEqualTo(new SmtpTimeouts(ten, ten, ten, ten));
    }

    @Test
    void capsOnlyTheTimeoutsLongerThanTheSmtpTimeout() {
        var seven = Duration.ofMinutes(7);

        assertThat(SmtpTimeouts.of(seven)).isEqualTo(new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofMinutes(5), seven));
    }

    @Test
    void refusesAnSmtpTimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> SmtpTimeouts.of(Duration.ZERO)).hasMessageContaining("smtpTimeout");
        assertThatThrownBy(() -> SmtpTimeouts.of(Duration.ofSeconds(-1))).hasMessageContaining("smtpTimeout");
    }

    @Test
    void turnsATimeoutIntoSocketMillisecondsThatNeverMeanForever() {
        assertThat(SmtpTimeouts.millis(Duration.ofSeconds(2))).isEqualTo(2000);
        assertThat(SmtpTimeouts.millis(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(SmtpTimeouts.millis(Duration.ofDays(100))).isEqualTo(Integer.MAX_VALUE);
    }
}
