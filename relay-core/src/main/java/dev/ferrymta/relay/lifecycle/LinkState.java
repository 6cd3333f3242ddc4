package dev.ferrymta.relay.lifecycle;

/** The state of a link to a service the instance depends on. */
public enum LinkState {
    /** Not connected yet since the start. */
    CONNECTING,
    /** Connected and usable. */
    UP,
    /**
     * Connected, but the broker refuses publishes for now (a memory or disk alarm,
     * {@code connection.blocked}): nothing is lost, and nothing goes out until it lifts.
     */
    BLOCKED,
    /** Was connected, is lost; reconnecting. */
    DOWN,
    /** Closed on purpose at stop. */
    CLOSED
}
