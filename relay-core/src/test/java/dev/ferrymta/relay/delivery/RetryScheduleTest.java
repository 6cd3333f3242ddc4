package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryScheduleTest {

    private static final Instant FIRST = Instant.parse("2026-11-22T10:00:00Z");
    private static final RetrySchedule SCHEDULE = new RetrySchedule(Duration.ofMinutes(10), 5, Duration.ofDays(1));

    private static List<Duration> seconds(String list) {
        return list.isBlank() ? List.of() : java.util.Arrays.stream(list.split(" ")).map(s -> Duration.ofSeconds(Long.parseLong(s))).toList();
    }

    @ParameterizedTest(name = "retries [{0}], maxattempts {1}, maxdelivertime {2}, after attempt {3} at {4}: next {5}")
    @CsvSource(nullValues = "-", value = {
            // the message's retries, the last one repeating
            "'60 300', 0, -, 1, 2026-11-22T10:00:00Z, 2026-11-22T10:01:00Z",
            "'60 300', 0, -, 2, 2026-11-22T10:01:00Z, 2026-11-22T10:06:00Z",
            "'60 300', 0, -, 3, 2026-11-22T10:06:00Z, 2026-11-22T10:11:00Z",
            // no retries: retry-interval
            "'', 0, -, 1, 2026-11-22T10:00:00Z, 2026-11-22T10:10:00Z",
            // max-attempts (5) or the message's maxattempts end it
            "'', 0, -, 5, 2026-11-22T10:40:00Z, -",
            "'', 2, -, 2, 2026-11-22T10:10:00Z, -",
            "'', 9, -, 5, 2026-11-22T10:40:00Z, 2026-11-22T10:50:00Z",
            // maxdelivertime, or max-delivertime after the first attempt, ends it
            "'', 0, 2026-11-22T10:05:00Z, 1, 2026-11-22T10:00:00Z, -",
            "'', 0, 2026-11-22T10:10:00Z, 1, 2026-11-22T10:00:00Z, 2026-11-22T10:10:00Z",
            "'3600', 20, -, 4, 2026-11-23T09:30:00Z, -",
    })
    void schedulesTheNextAttemptOrEndsIt(String retries, int maxAttempts, Instant maxDeliverTime, int attempts, Instant now,
            Instant expected) {
        assertThat(SCHEDULE.next(seconds(retries), maxAttempts, Optional.ofNullable(maxDeliverTime), attempts, FIRST, now))
                .isEqualTo(Optional.ofNullable(expected));
    }
}
