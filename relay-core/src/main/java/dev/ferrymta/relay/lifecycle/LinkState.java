package dev.ferrymta.relay.lifecycle;

/** The state of a link to a service the instance depends on. */
public enum LinkState {
    /** Not connected yet since the start. */
    CONNECTING,
    /** Connected and usable. */
    UP,
    /** Was connected, is lost; reconnecting. */
    DOWN,
    /** Closed on purpose at stop. */
    CLOSED
}
