package dev.ferrymta.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloodGuardTest {

    private static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-22T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void writesTheBurstThenLeavesLinesOutAndSaysHowManyInTheNextPeriod() {
        var clock = new StepClock();
        var guard = new FloodGuard(3, Duration.ofMinutes(1), clock);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            guard.log(suffix -> lines.add("line" + suffix));
        }
        assertThat(lines).containsExactly("line", "line", "line");
        assertThat(guard.suppressed()).isEqualTo(7);

        clock.now = clock.now.plusSeconds(61);
        guard.log(suffix -> lines.add("line" + suffix));
        assertThat(lines.getLast()).isEqualTo("line (7 similar lines left out before)");
        assertThat(guard.suppressed()).isZero();
    }
}
