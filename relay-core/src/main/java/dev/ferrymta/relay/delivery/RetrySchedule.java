package dev.ferrymta.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When to try a message again, and when to stop: a pure function of the message's limits, its
 * attempts so far and the configured defaults.
 *
 * @param defaultInterval    {@code retry-interval}, for messages without {@code "retries"}
 * @param defaultMaxAttempts {@code max-attempts}
 * @param defaultMaxAge      {@code max-delivertime}, counted from the first attempt
 */
public record RetrySchedule(Duration defaultInterval, int defaultMaxAttempts, Duration defaultMaxAge) {

    /**
     * The moment of the next attempt, or empty when the message has had its last one.
     *
     * @param retries        the message's {@code "retries"} (seconds between attempts, the last repeating)
     * @param maxAttempts    the message's {@code "maxattempts"}, or 0 for the default
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
        int limit = maxAttempts > 0 ? maxAttempts : defaultMaxAttempts;
        if (attemptsMade >= limit) {
            return Optional.empty();
        }
        var wait = retries.isEmpty() ? defaultInterval : retries.get(Math.min(attemptsMade, retries.size()) - 1);
        var at = now.plus(wait);
        var deadline = maxDeliverTime.orElse(firstAttempt.plus(defaultMaxAge));
        return at.isAfter(deadline) ? Optional.empty() : Optional.of(at);
    }
}
