package dev.ferrymta.relay.smtp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The server to talk to: the MX host name (for TLS verification and SNI) and one of its addresses.
 *
 * @param hostName the MX host name as found in DNS; a trailing dot is allowed
 * @param address  the address to connect to, one of the host's A or AAAA records
 * @param port     the TCP port, 25 in production
 */
public record SmtpEndpoint(String hostName, InetAddress address, int port) {

    public SmtpEndpoint {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(address, "address");
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("hostName must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
    }

    /** {@code host name [address]:port}, for descriptions and logs. */
    @Override
    public String toString() {
        return hostName + " [" + address.getHostAddress() + "]:" + port;
    }
}
