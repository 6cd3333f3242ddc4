package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {

    private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
    private static final Instant END = NOW.plus(Duration.ofDays(7));

    @Test
    void takesAForwardOnceAndKnowsItsCopies() {
        var guard = new ReplayGuard(100);

        assertThat(guard.firstTime("sig-1", END, NOW)).isTrue();
        assertThat(guard.firstTime("sig-2", END, NOW)).isTrue();
        assertThat(guard.firstTime("sig-1", END, NOW)).isFalse();
        assertThat(guard.firstTime("sig-1", END, NOW.plusSeconds(60))).isFalse();
        assertThat(guard.size()).isEqualTo(2);
    }

    @Test
    void forgetsAForwardWhenItsValidityEnds() {
        var guard = new ReplayGuard(100);
        guard.firstTime("sig-1", NOW.plusSeconds(10), NOW);
        guard.firstTime("sig-2", NOW.plusSeconds(20), NOW);

        assertThat(guard.firstTime("sig-1", END, NOW.plusSeconds(10))).as("a copy after the end is refused as expired anyway")
                .isTrue();
        assertThat(guard.size()).isEqualTo(2);
        assertThat(guard.forgottenEarly()).isZero();
    }

    @Test
    void forgetsTheOldestFirstPastItsCapacityAndCountsIt() {
        var guard = new ReplayGuard(3);
        for (var key : List.of("a", "b", "c", "d")) {
            assertThat(guard.firstTime(key, END, NOW)).isTrue();
        }

        assertThat(guard.size()).isEqualTo(3);
        assertThat(guard.forgottenEarly()).isEqualTo(1);
        assertThat(guard.firstTime("d", END, NOW)).isFalse();
        assertThat(guard.firstTime("b", END, NOW)).isFalse();
        assertThat(guard.firstTime("a", END, NOW)).as("forgotten").isTrue();
    }

    /**
     * Many keys through a small guard, the table growing and wrapping, against a plain set: the
     * backward-shift deletes must never lose a key that is still remembered.
     */
    @Test
    void agreesWithASetOfTheLastKeysThroughGrowthAndDeletes() {
        int capacity = 5_000;
        var guard = new ReplayGuard(capacity);
        var random = new Random(42);
        var recent = new ArrayList<String>();
        var remembered = new HashSet<String>();
        for (int i = 0; i < 40_000; i++) {
            // Every third key is a copy of a recent one, the rest new.
            String key = i % 3 == 0 && !recent.isEmpty() ? recent.get(random.nextInt(recent.size())) : "key-" + i;
            boolean expected = !remembered.contains(key);
            assertThat(guard.firstTime(key, END, NOW)).as("key %s at step %d", key, i).isEqualTo(expected);
            if (expected) {
                recent.add(key);
                remembered.add(key);
                if (recent.size() > capacity) {
                    remembered.remove(recent.removeFirst());
                }
            }
        }
        assertThat(guard.size()).isEqualTo(capacity);
    }
}
