package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.message.Smarthost;
import java.net.InetAddress;
import java.util.Optional;

/**
 * What a delivery lane is for: sending from one local IP to one destination domain, through the
 * domain's MX hosts or, for messages that name one, through their own smarthost (such messages
 * get lanes of their own, so their connections are never shared with MX deliveries).
 *
 * @param via the message's {@code "smarthost"}; empty: the domain's MX hosts (or its domain route)
 */
public record LaneKey(InetAddress ip, Domain domain, Optional<Smarthost> via) {

    /** A lane to the domain's own servers. */
    public LaneKey(InetAddress ip, Domain domain) {
        this(ip, domain, Optional.empty());
    }

    @Override
    public String toString() {
        return ip.getHostAddress() + " -> " + domain + via.map(s -> " via " + s.hostname() + ":" + s.port()).orElse("");
    }
}
