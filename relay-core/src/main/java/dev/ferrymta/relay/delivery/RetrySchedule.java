package dev.ferrymta.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When to try a message again, and when to stop: a pure function of the message's limits, its
 * attempts so far and the configured defaults.
 *
 * @param defaultIntervals   {@code retry-interval}, for messages without {@code "retries"}: the waits
 *                           after the first, second ... attempt, the last repeating; not empty
 * @param defaultMaxAttempts {@code max-attempts}; 0: no limit on attempts, only the age ends them
 * @param defaultMaxAge      {@code max-delivertime}, counted from the first attempt
 */
public record RetrySchedule(List<Duration> defaultIntervals, int defaultMaxAttempts, Duration defaultMaxAge) {

    /**
     * @throws IllegalArgumentException when there are no default intervals, or the attempts are
     *                                  negative
     */
    public RetrySchedule {
        defaultIntervals = List.copyOf(defaultIntervals);
        if (defaultIntervals.isEmpty()) {
            throw new IllegalArgumentException("retry-interval needs at least one wait");
        }
        if (defaultMaxAttempts < 0) {
            throw new IllegalArgumentException("max-attempts is 0 (no limit) or more, not " + defaultMaxAttempts);
        }
    }

    /** Whether {@code attemptsMade} reaches the message's {@code maxattempts} (0: none) or else {@code max-attempts}. */
    public boolean attemptsUsedUp(int maxAttempts, int attemptsMade) {
        int limit = maxAttempts > 0 ? maxAttempts : defaultMaxAttempts;
        return limit > 0 && attemptsMade >= limit;
    }

    /**
     * The moment of the next attempt, or empty when the message has had its last one.
     *
     * @param retries        the message's {@code "retries"} (seconds between attempts, the last repeating)
     * @param maxAttempts    the message's {@code "maxattempts"}, or 0 for {@code max-attempts}
     * @param maxDeliverTime the message's {@code "maxdelivertime"}, if set
     * @param attemptsMade   attempts so far, the one that just failed included
     * @param firstAttempt   when the first attempt was made
     * @param now            now
     */
    public Optional<Instant> next(List<Duration> retries, int maxAttempts, Optional<Instant> maxDeliverTime,
            int attemptsMade, Instant firstAttempt, Instant now) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("asked for a retry before any attempt was made");
        }
        if (attemptsUsedUp(maxAttempts, attemptsMade)) {
            return Optional.empty();
        }
        var waits = retries.isEmpty() ? defaultIntervals : retries;
        var wait = waits.get(Math.min(attemptsMade, waits.size()) - 1);
        var at = now.plus(wait);
        var deadline = maxDeliverTime.orElse(firstAttempt.plus(defaultMaxAge));
        return at.isAfter(deadline) ? Optional.empty() : Optional.of(at);
    }
}
