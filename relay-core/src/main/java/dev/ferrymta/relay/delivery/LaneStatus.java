package dev.ferrymta.relay.delivery;

/**
 * What one lane is doing, for the console.
 *
 * @param key         the source IP and destination domain
 * @param depth       messages waiting for a connection
 * @param connections open SMTP connections (and ones being opened)
 * @param delivered   messages accepted by the receiver since the lane was made
 * @param temporary   attempts that failed for now
 * @param permanent   attempts that failed for good
 * @param pipelining  whether a message may start behind the previous one's end of data on a kept
 *                    connection (RFC 2920 section 3.1); false once a server of the lane left such a
 *                    message in turn: no reply, 503 or an X.5.X status to its MAIL (ADR 0016)
 */
public record LaneStatus(LaneKey key, int depth, int connections, long delivered, long temporary, long permanent,
        boolean pipelining) {
}
