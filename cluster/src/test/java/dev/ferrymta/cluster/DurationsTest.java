package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DurationsTest {

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of(Duration.ZERO, "0 ms"),
                Arguments.of(Duration.ofMillis(250), "250 ms"),
                Arguments.of(Duration.ofMillis(999), "999 ms"),
                Arguments.of(Duration.ofMillis(1_499), "1 s"),
                Arguments.of(Duration.ofMinutes(10).minusMillis(7), "10 min"),
                Arguments.of(Duration.ofMinutes(10).plusSeconds(3), "10 min 3 s"),
                Arguments.of(Duration.ofHours(2).plusMinutes(5).plusSeconds(9), "2 h 5 min"),
                Arguments.of(Duration.ofDays(1), "1 day"),
                Arguments.of(Duration.ofDays(8).plusHours(2), "8 days 2 h"),
                Arguments.of(Duration.ofMinutes(-7), "-7 min"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("durations")
    void saysTheTwoLargestUnits(Duration duration, String words) {
        assertThat(Durations.words(duration)).isEqualTo(words);
    }
}
