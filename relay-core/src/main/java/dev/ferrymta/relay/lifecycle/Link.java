package dev.ferrymta.relay.lifecycle;

import java.util.Optional;

/** A connection to a service the instance depends on, as the health page and the ready line show it. */
public interface Link {

    /** What the service is: {@code rabbitmq}, {@code postgresql}. */
    String name();

    /** Where it is, without secrets. */
    String address();

    /**
     * Where among the places of {@link #address()} the link is now, when the service has several
     * (the RabbitMQ node a broker link is connected to, {@code ip:port}); empty when it is not
     * connected, or when there is nothing to choose between. The default is empty.
     */
    default Optional<String> node() {
        return Optional.empty();
    }

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
