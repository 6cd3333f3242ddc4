package dev.ferrymta.relay.settings;

/** How a domain route replaces the DNS lookup for a domain. */
public enum RouteKind {
    /** Deliver to this host as if it were the domain's only MX. */
    MX,
    /** Relay everything for the domain through this host and port. */
    SMARTHOST
}
