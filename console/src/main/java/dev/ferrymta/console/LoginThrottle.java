package dev.ferrymta.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A growing wait after failed logins, per client address: after the n-th failure in a row the
 * next try is refused for 2^(n-1) seconds, up to {@link #MAX_WAIT}. A success forgets the address.
 * Holds at most {@link #MAX_ADDRESSES} addresses, forgetting the longest-quiet first, so a flood
 * of addresses cannot grow it without bound. Thread-safe.
 */
final class LoginThrottle {

    static final Duration MAX_WAIT = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    private record Failures(int count, Instant blockedUntil) {
    }

    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code address} must still wait before its next try; empty when it may try now. */
    synchronized Optional<Duration> wait(String address) {
        var entry = failures.get(address);
        if (entry == null) {
            return Optional.empty();
        }
        var left = Duration.between(clock.instant(), entry.blockedUntil());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /** Records a failed try; returns how long the address must wait now. */
    synchronized Duration failed(String address) {
        var previous = failures.remove(address);
        int count = previous == null ? 1 : previous.count() + 1;
        var wait = Duration.ofSeconds(1L << Math.min(count - 1, 20));
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        failures.put(address, new Failures(count, clock.instant().plus(wait)));
        if (failures.size() > MAX_ADDRESSES) {
            var oldest = failures.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return wait;
    }

    /** Forgets the address's failures. */
    synchronized void succeeded(String address) {
        failures.remove(address);
    }
}
