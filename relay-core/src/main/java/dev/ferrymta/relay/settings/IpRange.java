package dev.ferrymta.relay.settings;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A single IP address or a CIDR network ({@code 192.0.2.10}, {@code 192.0.2.0/24},
 * {@code 2001:db8::/32}), as throttles and pauses name the local IPs they apply to. A longer
 * prefix is more specific.
 */
public record IpRange(InetAddress network, int prefixLength) {

    public IpRange {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range for " + network.getHostAddress());
        }
        var bytes = network.getAddress();
        for (int bit = prefixLength; bit < bits; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException(network.getHostAddress() + "/" + prefixLength
                        + " has bits set after the prefix; the network is " + masked(network, prefixLength).getHostAddress()
                        + "/" + prefixLength);
            }
        }
    }

    /** One address. */
    public static IpRange of(InetAddress address) {
        return new IpRange(address, address.getAddress().length * 8);
    }

    /**
     * Parses {@code address} or {@code address/prefix}; host names are refused, so this never
     * touches DNS.
     */
    public static IpRange parse(String text) {
        var slash = text.indexOf('/');
        var address = IpLiteral.parse(slash < 0 ? text : text.substring(0, slash));
        if (slash < 0) {
            return of(address);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        return new IpRange(address, prefix);
    }

    /** Whether the address is in this range (an IPv4 address is never in an IPv6 range). */
    public boolean contains(InetAddress address) {
        var mine = network.getAddress();
        var theirs = address.getAddress();
        if (mine.length != theirs.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((mine[bit / 8] & mask) != (theirs[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is exactly one address. */
    public boolean isSingleAddress() {
        return prefixLength == network.getAddress().length * 8;
    }

    @Override
    public String toString() {
        return isSingleAddress() ? network.getHostAddress() : network.getHostAddress() + "/" + prefixLength;
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        var bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
