package dev.ferrymta.db.write;

/**
 * A domain route as the console sends it.
 *
 * @param domain the destination domain
 * @param kind   {@code mx} (deliver to the host as the domain's only MX) or {@code smarthost}
 * @param host   a host name or an IP address
 * @param port   the TCP port; null means 25
 */
public record RouteInput(String domain, String kind, String host, Integer port) {
}
