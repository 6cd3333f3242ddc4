package dev.ferrymta.relay.config;

/**
 * A host (name or IP literal) and a port, as written in {@code dns-server: 127.0.0.1:5353}.
 *
 * @param host a host name or an IP literal, IPv6 without brackets
 * @param port 1 to 65535
 */
public record HostAndPort(String host, int port) {

    public HostAndPort {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range");
        }
    }

    /** Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    public static HostAndPort parse(String text, int defaultPort) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']'");
            }
            host = text.substring(1, close);
            var rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException();
                }
                port = rest.substring(1);
            }
            ValueType.parseIp(host);
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text; // a bare IPv6 literal: no port can be told apart from it
            ValueType.parseIp(host);
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
            if (!ValueType.isHostName(host)) {
                throw new IllegalArgumentException();
            }
        }
        return new HostAndPort(host, port == null ? defaultPort : ValueType.port().parse().apply(port));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
