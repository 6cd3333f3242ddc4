package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrefetchWindowTest {

    private static final long MB = 1 << 20;

    @ParameterizedTest(name = "max {0}, {1} consumers, budget {2} B, body {3} B: prefetch {4}")
    @CsvSource({
            // The benchmark's shape: 512 MB heap (a 64 MB budget), two consumers, 2 KB messages: the maximum.
            "250, 2, 67108864, 2048, 250",
            // 1 MB bodies: 32 per consumer, 64 MB in all.
            "250, 2, 67108864, 1048576, 32",
            // 100 KB bodies: 327 would fit, the maximum is 250.
            "250, 2, 67108864, 102400, 250",
            // 300 KB bodies: 109 per consumer.
            "250, 2, 67108864, 307200, 109",
            // One consumer has the whole budget.
            "250, 1, 67108864, 1048576, 64",
            // A body larger than a consumer's share of the budget: still one at a time, never none.
            "250, 2, 67108864, 104857600, 1",
            // An empty body counts as one byte.
            "7, 2, 1000, 0, 7",
            // The configured maximum is never passed, however small the bodies.
            "65535, 1, 9223372036854775807, 1, 65535",
    })
    void followsTheLargestBody(int maximum, int consumers, long budget, long body, int expected) {
        var window = new PrefetchWindow(maximum, consumers, budget);
        window.observe(body);

        assertThat(window.target()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "max {0}: one message until a size is known")
    @CsvSource({"250", "1"})
    void startsWithOneMessageUntilASizeIsKnown(int maximum) {
        assertThat(new PrefetchWindow(maximum, 2, 64 * MB).target()).isEqualTo(1);
    }

    @Test
    void aLargeBodyLowersTheTargetAtOnceAndItRisesOnlyAfterAWholePeriodWithoutOne() {
        var window = new PrefetchWindow(250, 2, 64 * MB);
        assertThat(window.observe(2048)).isTrue();
        assertThat(window.target()).isEqualTo(250);

        assertThat(window.observe(MB)).isTrue();
        assertThat(window.target()).isEqualTo(32);

        // The rest of this period and all of the next one: the 1 MB body is still recent.
        for (int i = 2; i < 2 * PrefetchWindow.PERIOD; i++) {
            assertThat(window.observe(2048)).as("delivery %d", i).isFalse();
        }
        assertThat(window.target()).isEqualTo(32);

        // The first delivery of the third period: the 1 MB body's period has passed.
        assertThat(window.observe(2048)).isTrue();
        assertThat(window.target()).isEqualTo(250);
    }

    @Test
    void theConsumersOfABudgetShareItWhateverQueueTheyRead() {
        var budget = new IntakeBudget(64 * MB);
        budget.addConsumers(2);
        var outbox = PrefetchWindow.sharing(250, budget);
        outbox.observe(MB);
        assertThat(outbox.target()).as("two outbox consumers").isEqualTo(32);

        budget.addConsumers(1);
        var forwards = PrefetchWindow.sharing(250, budget);
        forwards.observe(MB);
        outbox.observe(MB);
        assertThat(forwards.target()).as("the forward queue's consumer, a third").isEqualTo(21);
        assertThat(outbox.target()).as("each outbox consumer, a third").isEqualTo(21);

        budget.addConsumers(-1);
        outbox.observe(MB);
        assertThat(outbox.target()).as("the forward consumer closed").isEqualTo(32);
    }

    @Test
    void aBodyNoLargerThanTheRecentOnesChangesNothing() {
        var window = new PrefetchWindow(250, 2, 64 * MB);
        window.observe(MB);

        assertThat(window.observe(MB)).isFalse();
        assertThat(window.observe(MB / 2)).isFalse();
        assertThat(window.target()).isEqualTo(32);
    }

    @ParameterizedTest(name = "subscribed with {0}, target {1}: subscribe again {2}")
    @CsvSource({
            "10, 250, true",    // the first sizes: to the maximum
            "100, 250, true",
            "249, 250, true",   // the maximum is always worth reaching
            "100, 133, false",  // up by less than a third
            "100, 134, true",
            "250, 249, true",   // any step down: the bytes prefetched must stay within the budget
            "250, 32, true",
            "32, 32, false",
            "2, 1, true",
    })
    void subscribesAgainForAnyStepDownAndOnlyForALargeStepUp(int current, int target, boolean expected) {
        assertThat(new PrefetchWindow(250, 2, 64 * MB).worthChanging(current, target)).isEqualTo(expected);
    }

    @Test
    void refusesValuesOutOfRange() {
        assertThatThrownBy(() -> new PrefetchWindow(0, 1, 1)).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> new PrefetchWindow(65_536, 1, 1)).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> new PrefetchWindow(10, 0, 1)).hasMessageContaining("consumers");
        assertThatThrownBy(() -> new PrefetchWindow(10, 1, 0)).hasMessageContaining("budget");
    }
}
