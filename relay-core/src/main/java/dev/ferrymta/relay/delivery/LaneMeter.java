package dev.ferrymta.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A lane's recent rate of finished attempts, smoothed over a few seconds. Thread-safe. */
final class LaneMeter {

    private static final Duration WINDOW = Duration.ofSeconds(1);

    private final Clock clock;
    private Instant windowStart;
    private long inWindow;
    private double perSecond;
    private boolean measured;

    LaneMeter(Clock clock) {
        this.clock = clock;
        this.windowStart = clock.instant();
    }

    /** One attempt finished. */
    synchronized void record() {
        roll();
        inWindow++;
    }

    /** Whether a whole window has passed, so {@link #perSecond()} is a measurement and not a blank. */
    synchronized boolean measured() {
        roll();
        return measured;
    }

    /** Attempts per second lately. */
    synchronized double perSecond() {
        roll();
        return perSecond;
    }

    private void roll() {
        var now = clock.instant();
        var elapsed = Duration.between(windowStart, now);
        if (elapsed.compareTo(WINDOW) < 0) {
            return;
        }
        double current = inWindow / (elapsed.toNanos() / 1e9);
        // Half the weight on the last window: follows a change within a few seconds, ignores a single blip.
        perSecond = measured ? (perSecond + current) / 2 : current;
        measured = true;
        windowStart = now;
        inWindow = 0;
    }
}
