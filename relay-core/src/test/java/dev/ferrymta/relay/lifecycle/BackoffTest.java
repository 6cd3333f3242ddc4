package dev.ferrymta.relay.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** A generator that always draws the same fraction, so the jitter is known. */
    private static RandomGenerator fixed(double fraction) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return fraction;
            }
        };
    }

    @Test
    void doublesUpToTheMaximum() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), fixed(0));

        assertThat(java.util.stream.Stream.generate(backoff::nextDelay).limit(5).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 5L, 5L);
    }

    @Test
    void jitterShortensAWaitByAtMostAFifth() {
        var backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), fixed(0.999));

        assertThat(backoff.nextDelay()).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    }

    @Test
    void startsOverAfterReset() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), fixed(0));
        backoff.nextDelay();
        backoff.nextDelay();

        backoff.reset();

        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    }
}
