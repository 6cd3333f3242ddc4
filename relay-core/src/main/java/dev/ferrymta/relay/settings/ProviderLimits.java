package dev.ferrymta.relay.settings;

import java.util.OptionalInt;

/**
 * What holds across every domain of a provider group from one local IP: the connections open to
 * the provider and the messages started per minute, each capped or not.
 *
 * @param maxConnections    open connections at most, summed over the provider's domains; empty: no cap
 * @param messagesPerMinute messages started per minute at most, summed likewise; empty: no cap
 */
public record ProviderLimits(OptionalInt maxConnections, OptionalInt messagesPerMinute) {

    /** Nothing capped. */
    public static final ProviderLimits NONE = new ProviderLimits(OptionalInt.empty(), OptionalInt.empty());

    /** These limits, each lowered to the given cap where there is one. */
    public ProviderLimits cap(OptionalInt connections, OptionalInt perMinute) {
        return new ProviderLimits(min(maxConnections, connections), min(messagesPerMinute, perMinute));
    }

    private static OptionalInt min(OptionalInt a, OptionalInt b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalInt.of(Math.min(a.getAsInt(), b.getAsInt()));
    }
}
