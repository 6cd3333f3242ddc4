package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RatePacerTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void spacesStartsOneMinuteDividedByTheRateApart() {
        var pacer = new RatePacer();

        assertThat(pacer.reserve(T0, 60)).isEqualTo(T0);
        assertThat(pacer.reserve(T0, 60)).isEqualTo(T0.plusSeconds(1));
        assertThat(pacer.reserve(T0, 60)).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aStartThatComesLateDoesNotBankTheSlotsItMissed() {
        var pacer = new RatePacer();
        pacer.reserve(T0, 6);

        var late = T0.plus(Duration.ofMinutes(5));

        assertThat(pacer.reserve(late, 6)).isEqualTo(late);
        assertThat(pacer.reserve(late, 6)).isEqualTo(late.plusSeconds(10));
    }

    @Test
    void aLoweredRateSpacesTheNextStartsWider() {
        var pacer = new RatePacer();
        pacer.reserve(T0, 600);

        assertThat(pacer.reserve(T0, 1)).isEqualTo(T0.plusMillis(100));
        assertThat(pacer.reserve(T0, 1)).isEqualTo(T0.plusMillis(100).plus(Duration.ofMinutes(1)));
    }

    @Test
    void refusesARateBelowOne() {
        assertThatThrownBy(() -> new RatePacer().reserve(T0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
