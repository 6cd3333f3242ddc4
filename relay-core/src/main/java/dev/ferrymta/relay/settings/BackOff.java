package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A back-off (PowerMTA's word; MailerQ and KumoMTA speak of slowing down): sending from some local
 * IPs to a domain goes on, slower, until a time. Its caps lower the limits of the throttles that
 * apply, never raise them. Response rules write them when a receiver says "too fast"; an operator
 * may add or lift one.
 *
 * @param id                database id
 * @param revision          bumped by every change
 * @param localIp           the local IPs it slows (one address or a network)
 * @param domain            the destination domain; empty: any
 * @param until             when it ends by itself
 * @param messagesPerMinute messages started per minute at most; empty: not capped
 * @param maxConnections    open connections at most; empty: not capped
 * @param reason            why, for the console; an automatic one starts with {@code automatic:}
 * @param provider          the destination provider group instead of a domain: its caps hold across
 *                          every domain it hosts, per local IP
 * @param since             when it was made (an automatic one extended keeps its first); empty when not known
 */
public record BackOff(long id, int revision, IpRange localIp, Optional<Domain> domain, Instant until, OptionalInt messagesPerMinute,
        OptionalInt maxConnections, String reason, Optional<String> provider, Optional<Instant> since) {

    /** A back-off whose start is not known. */
    public BackOff(long id, int revision, IpRange localIp, Optional<Domain> domain, Instant until, OptionalInt messagesPerMinute,
            OptionalInt maxConnections, String reason, Optional<String> provider) {
        this(id, revision, localIp, domain, until, messagesPerMinute, maxConnections, reason, provider, Optional.empty());
    }

    /** A back-off of a domain, or of any domain. */
    public BackOff(long id, int revision, IpRange localIp, Optional<Domain> domain, Instant until, OptionalInt messagesPerMinute,
            OptionalInt maxConnections, String reason) {
        this(id, revision, localIp, domain, until, messagesPerMinute, maxConnections, reason, Optional.empty());
    }

    /** Whether it slows sending from {@code ip} to {@code to} at {@code now}. */
    public boolean holds(InetAddress ip, Domain to, Instant now) {
        return holds(ip, to, Optional.empty(), now);
    }

    /** Whether it slows sending from {@code ip} to {@code to}, a domain of {@code toProvider}, at {@code now}. */
    public boolean holds(InetAddress ip, Domain to, Optional<String> toProvider, Instant now) {
        return localIp.contains(ip) && domain.map(to::equals).orElse(true)
                && provider.map(p -> toProvider.map(p::equals).orElse(false)).orElse(true) && now.isBefore(until);
    }

    /** {@code limits}, each lowered to this back-off's cap where it has one. */
    public ThrottleLimits cap(ThrottleLimits limits) {
        return cap(limits, messagesPerMinute, maxConnections);
    }

    /** {@code limits} with messages per minute and connections lowered to the given caps. */
    public static ThrottleLimits cap(ThrottleLimits limits, OptionalInt messagesPerMinute, OptionalInt maxConnections) {
        int connections = maxConnections.isPresent() ? Math.min(limits.maxConnections(), maxConnections.getAsInt()) : limits.maxConnections();
        OptionalInt rate = limits.messagesPerMinute();
        if (messagesPerMinute.isPresent()) {
            rate = OptionalInt.of(rate.isPresent() ? Math.min(rate.getAsInt(), messagesPerMinute.getAsInt()) : messagesPerMinute.getAsInt());
        }
        return new ThrottleLimits(connections, rate, limits.messagesPerConnection(), limits.idleTimeout());
    }
}
