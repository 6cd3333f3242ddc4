package dev.ferrymta.relay.dns;

/**
 * A host to deliver to, in the order to try it.
 *
 * @param host a host name or IP literal
 * @param port 25, unless a domain route says otherwise
 */
public record MxTarget(String host, int port) {
}
