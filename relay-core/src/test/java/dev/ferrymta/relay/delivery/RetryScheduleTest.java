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
    private static final RetrySchedule SCHEDULE = new RetrySchedule(List.of(Duration.ofMinutes(10)), 5, Duration.ofDays(1));
    /** MailerQ's defaults (its "other configuration" page): no attempt limit, a list of waits, a day. */
    private static final RetrySchedule MAILERQ = new RetrySchedule(seconds("600 600 1800 1800 3600 3600 7200"), 0, Duration.ofDays(1));

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

    @ParameterizedTest(name = "MailerQ's defaults: retries [{0}], maxattempts {1}, after attempt {2} at {3}: next {4}")
    @CsvSource(nullValues = "-", value = {
            // retry-interval's list, in order, the last repeating
            "'', 0, 1, 2026-11-22T10:00:00Z, 2026-11-22T10:10:00Z",
            "'', 0, 2, 2026-11-22T10:10:00Z, 2026-11-22T10:20:00Z",
            "'', 0, 3, 2026-11-22T10:20:00Z, 2026-11-22T10:50:00Z",
            "'', 0, 7, 2026-11-22T13:40:00Z, 2026-11-22T15:40:00Z",
            "'', 0, 12, 2026-11-22T23:40:00Z, 2026-11-23T01:40:00Z",
            // max-attempts 0: no attempt limit, only max-delivertime ends it
            "'', 0, 500, 2026-11-23T07:00:00Z, 2026-11-23T09:00:00Z",
            "'', 0, 501, 2026-11-23T09:00:00Z, -",
            // the message's own maxattempts and retries still count
            "'', 3, 3, 2026-11-22T10:50:00Z, -",
            "'60', 0, 4, 2026-11-22T10:50:00Z, 2026-11-22T10:51:00Z",
    })
    void followsMailerQsDefaultsWhenConfiguredSo(String retries, int maxAttempts, int attempts, Instant now, Instant expected) {
        assertThat(MAILERQ.next(seconds(retries), maxAttempts, Optional.empty(), attempts, FIRST, now))
                .isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest(name = "max-attempts {0}, maxattempts {1}, {2} made: used up {3}")
    @CsvSource({
            "5, 0, 4, false",
            "5, 0, 5, true",
            "5, 9, 5, false",
            "0, 0, 100000, false",
            "0, 2, 2, true",
    })
    void attemptsAreUsedUpAtTheMessagesLimitElseTheConfigured(int configured, int message, int made, boolean usedUp) {
        var schedule = new RetrySchedule(List.of(Duration.ofMinutes(10)), configured, Duration.ofDays(1));

        assertThat(schedule.attemptsUsedUp(message, made)).isEqualTo(usedUp);
    }

    @org.junit.jupiter.api.Test
    void refusesAScheduleWithoutWaitsOrWithNegativeAttempts() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetrySchedule(List.of(), 5, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry-interval");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofMinutes(1)), -1, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-attempts");
    }
}
