package dev.ferrymta.relay.lifecycle;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Growing waits between reconnect attempts: doubling from {@code initial} up to {@code max}, with
 * up to 20% random jitter so that a cluster whose broker restarts does not reconnect in lockstep.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;
    private Duration next;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
        this.next = initial;
    }

    /** One second growing to thirty, the default for reconnecting to the broker and the database. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), RandomGenerator.getDefault());
    }

    /** The wait before the next attempt; each call grows the following one. */
    public synchronized Duration nextDelay() {
        var base = next;
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        long jitter = (long) (base.toMillis() * 0.2 * random.nextDouble());
        return base.minusMillis(jitter);
    }

    /** Back to the initial wait, after a success. */
    public synchronized void reset() {
        next = initial;
    }
}
