package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.settings.IpRange;
import java.net.InetAddress;
import java.util.List;

/**
 * Whether mail may be sent to an address a destination resolved to: never to one of this
 * instance's own source IPs (the mail would loop back to Ferry itself, RFC 5321 section 5.1) nor
 * to the unspecified address; to a loopback address only when a domain route names the host on
 * purpose, or when {@code smtp-allowed-destinations} lets it in (a test setup on one machine).
 * A pure function.
 *
 * @param own     {@code smtp-ips}
 * @param allowed {@code smtp-allowed-destinations}
 */
public record DestinationCheck(List<InetAddress> own, List<IpRange> allowed) {

    /** Refuses nothing but loops and the unspecified address; for tests of other things. */
    public static final DestinationCheck NONE_OWNED = new DestinationCheck(List.of(), List.of());

    public DestinationCheck {
        own = List.copyOf(own);
        allowed = List.copyOf(allowed);
    }

    /**
     * Why mail must not go to {@code address}, or null when it may.
     *
     * @param routed whether a domain route names the host on purpose
     */
    public String refusal(InetAddress address, boolean routed) {
        if (own.contains(address)) {
            return "mail for this destination loops back to myself: " + address.getHostAddress()
                    + " is one of this instance's own smtp-ips";
        }
        if (address.isAnyLocalAddress()) {
            return "the destination resolves to the unspecified address " + address.getHostAddress();
        }
        if (address.isLoopbackAddress() && !routed && allowed.stream().noneMatch(range -> range.contains(address))) {
            return "the destination resolves to the loopback address " + address.getHostAddress()
                    + ", which only a domain route may name";
        }
        return null;
    }
}
