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
 */
public record LaneStatus(LaneKey key, int depth, int connections, long delivered, long temporary, long permanent) {
}
