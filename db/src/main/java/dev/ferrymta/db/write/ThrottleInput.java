package dev.ferrymta.db.write;

/**
 * A throttle as the console sends it. Null or blank scope fields mean "any"; null limits mean
 * "the default".
 *
 * @param localIp               one local address or a network ({@code 192.0.2.0/24})
 * @param domain                the destination domain
 * @param maxConnections        open connections at most
 * @param messagesPerMinute     messages per minute at most
 * @param messagesPerConnection messages over one connection at most
 * @param idleTimeoutSeconds    seconds an idle connection is kept open
 * @param provider              a provider group instead of a domain: the limits hold across every
 *                              domain it hosts, per local IP (connections and messages per minute summed)
 */
public record ThrottleInput(String localIp, String domain, Integer maxConnections, Integer messagesPerMinute,
        Integer messagesPerConnection, Integer idleTimeoutSeconds, String provider) {

    /** A throttle of a domain, or of any domain. */
    public ThrottleInput(String localIp, String domain, Integer maxConnections, Integer messagesPerMinute,
            Integer messagesPerConnection, Integer idleTimeoutSeconds) {
        this(localIp, domain, maxConnections, messagesPerMinute, messagesPerConnection, idleTimeoutSeconds, null);
    }
}
