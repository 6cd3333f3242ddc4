package dev.ferrymta.relay.settings;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * The limits a delivery lane obeys, with every value resolved.
 *
 * @param maxConnections        open connections at most
 * @param messagesPerMinute     messages started per minute at most; empty: no limit
 * @param messagesPerConnection messages sent over one connection before it is closed
 * @param idleTimeout           how long an idle connection is kept open for more messages
 */
public record ThrottleLimits(int maxConnections, OptionalInt messagesPerMinute, int messagesPerConnection, Duration idleTimeout) {

    /** What applies where no throttle matches: polite enough for most receivers. */
    public static final ThrottleLimits DEFAULTS = new ThrottleLimits(5, OptionalInt.empty(), 100, Duration.ofSeconds(10));
}
