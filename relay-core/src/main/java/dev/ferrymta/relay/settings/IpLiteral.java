package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.config.ValueType;
import java.net.InetAddress;

/** IP address literals, parsed without DNS. */
public final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException for anything else, host names included
     */
    public static InetAddress parse(String text) {
        try {
            return ValueType.ipAddress().parse().apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }
}
