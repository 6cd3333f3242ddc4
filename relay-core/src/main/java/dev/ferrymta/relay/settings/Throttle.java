package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Limits for sending from some local IPs to a domain. Empty scope fields mean "any"; empty limit
 * fields take the value of {@link ThrottleLimits#DEFAULTS}.
 *
 * @param id                    database id
 * @param revision              bumped by every change
 * @param localIp               the local IPs it applies to (one address or a network); empty: any
 * @param domain                the destination domain; empty: any
 * @param maxConnections        open connections at most
 * @param messagesPerMinute     messages per minute at most
 * @param messagesPerConnection messages over one connection at most
 * @param idleTimeout           idle time before a connection is closed
 * @param provider              the destination provider group ({@link Provider}) instead of a domain;
 *                              its limits hold across every domain of the provider, per local IP
 */
public record Throttle(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain,
        OptionalInt maxConnections, OptionalInt messagesPerMinute, OptionalInt messagesPerConnection,
        Optional<Duration> idleTimeout, Optional<String> provider) {

    /** A throttle of a domain, or of any domain. */
    public Throttle(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, OptionalInt maxConnections,
            OptionalInt messagesPerMinute, OptionalInt messagesPerConnection, Optional<Duration> idleTimeout) {
        this(id, revision, localIp, domain, maxConnections, messagesPerMinute, messagesPerConnection, idleTimeout, Optional.empty());
    }

    /** Whether this throttle applies to sending from {@code ip} to {@code to}, a domain of no known provider. */
    public boolean matches(InetAddress ip, Domain to) {
        return matches(ip, to, Optional.empty());
    }

    /** Whether this throttle applies to sending from {@code ip} to {@code to}, a domain of {@code toProvider}. */
    public boolean matches(InetAddress ip, Domain to, Optional<String> toProvider) {
        return localIp.map(range -> range.contains(ip)).orElse(true) && domain.map(to::equals).orElse(true)
                && provider.map(p -> toProvider.map(p::equals).orElse(false)).orElse(true);
    }

    /**
     * How specific this throttle is; the highest matching one wins. The destination counts first
     * (a domain, then a provider, then any), then the source (an IP or network, then any); among
     * equals, the narrower network.
     */
    int specificity() {
        int destination = domain.isPresent() ? 2 : provider.isPresent() ? 1 : 0;
        int scope = destination * 2 + (localIp.isPresent() ? 1 : 0);
        return scope * 1000 + localIp.map(IpRange::prefixLength).orElse(0);
    }

    /** These limits, with the defaults where a field is empty. */
    public ThrottleLimits limits() {
        var defaults = ThrottleLimits.DEFAULTS;
        return new ThrottleLimits(
                maxConnections.orElse(defaults.maxConnections()),
                messagesPerMinute.isPresent() ? messagesPerMinute : defaults.messagesPerMinute(),
                messagesPerConnection.orElse(defaults.messagesPerConnection()),
                idleTimeout.orElse(defaults.idleTimeout()));
    }
}
