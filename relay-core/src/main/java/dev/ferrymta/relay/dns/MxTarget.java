package dev.ferrymta.relay.dns;

/**
 * A host to deliver to, in the order to try it.
 *
 * @param host   a host name; an IP literal only when a domain route names one
 * @param port   25, unless a domain route says otherwise
 * @param routed whether a domain route of the settings names it, on purpose, rather than DNS
 */
public record MxTarget(String host, int port, boolean routed) {

    /** A host DNS gave. */
    public MxTarget(String host, int port) {
        this(host, port, false);
    }
}
