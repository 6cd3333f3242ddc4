package dev.ferrymta.relay.dns;

/**
 * One MX record.
 *
 * @param preference lower is tried first
 * @param host       the exchange, without trailing dot; empty for a null MX (RFC 7505)
 */
public record MxRecord(int preference, String host) {

    /** A null MX: the domain accepts no mail. */
    public boolean isNull() {
        return host.isEmpty();
    }
}
