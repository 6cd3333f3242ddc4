package dev.ferrymta.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing without locking out the right password. Every login from an address,
 * once its body is read, reserves a turn: the first at once, each after it
 * {@code 2^(n-1)} seconds (up to {@link #MAX_WAIT}) later, where {@code n} counts the failures in
 * a row plus the logins still waiting, as if each of those failed too. A login waits for its turn
 * and is then checked: a correct password succeeds after the wait, however many wrong ones the
 * same address (a NAT, a reverse proxy) sends; and guesses sent side by side are checked one turn
 * each, not all in one. A success forgets the address. At most {@link #MAX_WAITING} logins of one
 * address wait at once; more are refused at once, unchecked. Holds at most
 * {@link #MAX_ADDRESSES} addresses, forgetting the longest-quiet first. Thread-safe.
 */
final class LoginThrottle {

    static final Duration MAX_WAIT = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;
    static final int MAX_WAITING = 16;

    private static final class Entry {
        int failures;
        int waiting;
        Instant nextTurn = Instant.MIN;
    }

    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Reserves the next turn of {@code address}.
     *
     * @return how long the login must wait before its check (zero: at once); empty when too many
     *     logins of the address wait already
     */
    synchronized Optional<Duration> reserve(String address) {
        var entry = entries.computeIfAbsent(address, a -> new Entry());
        if (entry.waiting >= MAX_WAITING) {
            return Optional.empty();
        }
        var now = clock.instant();
        var turn = entry.nextTurn.isAfter(now) ? entry.nextTurn : now;
        entry.nextTurn = turn.plus(penalty(entry.failures + entry.waiting + 1));
        entry.waiting++;
        forgetOldest();
        return Optional.of(Duration.between(now, turn));
    }

    /** The reserved turn came and the password was wrong. */
    synchronized void failed(String address) {
        var entry = entries.computeIfAbsent(address, a -> new Entry());
        entry.waiting = Math.max(0, entry.waiting - 1);
        entry.failures++;
    }

    /** The reserved turn came and the password was right: the address is forgotten. */
    synchronized void succeeded(String address) {
        entries.remove(address);
    }

    /** A reserved turn was given up (the client went away): it no longer counts as waiting. */
    synchronized void abandoned(String address) {
        var entry = entries.get(address);
        if (entry != null) {
            entry.waiting = Math.max(0, entry.waiting - 1);
        }
    }

    /** The wait after the {@code n}-th failure in a row: 1 s, 2 s, 4 s, ... up to {@link #MAX_WAIT}. */
    static Duration penalty(int n) {
        if (n <= 0) {
            return Duration.ZERO;
        }
        var wait = Duration.ofSeconds(1L << Math.min(n - 1, 20));
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    private void forgetOldest() {
        if (entries.size() > MAX_ADDRESSES) {
            var oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
