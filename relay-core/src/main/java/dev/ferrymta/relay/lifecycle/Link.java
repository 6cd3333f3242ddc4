package dev.ferrymta.relay.lifecycle;

import java.util.Optional;

/** A connection to a service the instance depends on, as the health page and the ready line show it. */
public interface Link {

    /** What the service is: {@code rabbitmq}, {@code postgresql}. */
    String name();

    /** Where it is, without secrets. */
    String address();

    /** Its state now. */
    LinkState state();

    /** Why it is not up, when it is not. */
    Optional<String> problem();

    /**
     * Whether this is a connection to a service (the broker, the database), as opposed to
     * something running over one (a queue's consumer). A lost connection takes the instance down;
     * a lost consumer, or a broker that blocks publishing, leaves it running but degraded.
     */
    default boolean isConnection() {
        return true;
    }
}
