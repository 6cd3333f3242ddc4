package dev.ferrymta.relay.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * Spaces the starts of a lane's messages so a messages-per-minute throttle holds: each start
 * reserves the next free slot, one minute divided by the rate after the one before. A start that
 * comes late does not bank the slots it missed, so a lane idle for a while cannot burst. Pure but
 * for its one piece of state; not thread-safe (the lane calls it under its lock).
 */
final class RatePacer {

    private Instant nextStart = Instant.MIN;

    /**
     * Reserves a start at {@code perMinute} messages a minute.
     *
     * @return when the message may start: {@code now} or later
     */
    Instant reserve(Instant now, int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("a rate of at least 1 a minute, not " + perMinute);
        }
        var slot = nextStart.isAfter(now) ? nextStart : now;
        nextStart = slot.plusNanos(Duration.ofMinutes(1).toNanos() / perMinute);
        return slot;
    }
}
