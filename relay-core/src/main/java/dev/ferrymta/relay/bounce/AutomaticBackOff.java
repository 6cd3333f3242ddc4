package dev.ferrymta.relay.bounce;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An automatic action a response rule took: sending from {@code ip} (to {@code domain}, or to any
 * domain) goes on slower, its messages per minute and connections capped, until {@code until}.
 *
 * @param ip                the local IP that got the reply
 * @param domain            the recipient's domain; empty: every domain
 * @param until             when it ends by itself
 * @param messagesPerMinute messages started per minute at most; empty: not capped
 * @param maxConnections    open connections at most; empty: not capped
 * @param rule              the rule's name
 * @param reply             the reply that fired it, as the server sent it (shortened)
 * @param provider          the provider group whose every domain it slows, instead of {@code domain}
 */
public record AutomaticBackOff(InetAddress ip, Optional<Domain> domain, Instant until, OptionalInt messagesPerMinute,
        OptionalInt maxConnections, String rule, String reply, Optional<String> provider) {

    /** The reason the shared back-off shows: starts with {@value Suspension#REASON_PREFIX}, names the rule and the reply. */
    public String reason(String instance) {
        return Suspension.reason(rule, instance, reply);
    }
}
