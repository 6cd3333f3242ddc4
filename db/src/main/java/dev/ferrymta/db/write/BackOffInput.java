package dev.ferrymta.db.write;

/**
 * A back-off as the console or the API sends it: sending from {@code localIp} (to {@code domain},
 * or to any domain) goes on slower until {@code until}.
 *
 * @param localIp           one local address or a network ({@code 192.0.2.0/24}); required
 * @param domain            the destination domain; blank: any
 * @param until             an ISO-8601 instant in the future ({@code 2030-01-31T18:00:00Z}); required
 * @param messagesPerMinute messages per minute at most
 * @param maxConnections    open connections at most; at least one of the two caps is given
 * @param reason            why, for the console; at most 500 characters
 * @param provider          a provider group instead of a domain: the caps hold across every domain it hosts
 */
public record BackOffInput(String localIp, String domain, String until, Integer messagesPerMinute, Integer maxConnections,
        String reason, String provider) {

    /** A back-off of a domain, or of any domain. */
    public BackOffInput(String localIp, String domain, String until, Integer messagesPerMinute, Integer maxConnections, String reason) {
        this(localIp, domain, until, messagesPerMinute, maxConnections, reason, null);
    }
}
