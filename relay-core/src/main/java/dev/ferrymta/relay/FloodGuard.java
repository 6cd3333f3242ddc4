package dev.ferrymta.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Keeps a log from flooding when hostile or broken input repeats: at most {@code burst} lines per
 * period, then one line saying how many were left out. Thread-safe.
 */
public final class FloodGuard {

    private final int burst;
    private final Duration period;
    private final Clock clock;
    private Instant periodStart = Instant.MIN;
    private int written;
    private long suppressed;

    public FloodGuard(int burst, Duration period, Clock clock) {
        this.burst = burst;
        this.period = period;
        this.clock = clock;
    }

    /** Ten lines a minute: for problems caused by input from outside. */
    public static FloodGuard standard(Clock clock) {
        return new FloodGuard(10, Duration.ofMinutes(1), clock);
    }

    /**
     * Writes the line through {@code log} unless this period's burst is used up. The first line of
     * a new period says how many the last one left out.
     *
     * @param log takes the line's suffix ("" or " (N similar lines left out)") and writes it
     */
    public void log(Consumer<String> log) {
        long left;
        synchronized (this) {
            var now = clock.instant();
            if (periodStart == Instant.MIN || !now.isBefore(periodStart.plus(period))) {
                periodStart = now;
                written = 0;
            }
            if (written >= burst) {
                suppressed++;
                return;
            }
            written++;
            left = suppressed;
            suppressed = 0;
        }
        log.accept(left == 0 ? "" : " (" + left + " similar lines left out before)");
    }

    /** Lines left out and not yet reported. */
    public synchronized long suppressed() {
        return suppressed;
    }
}
