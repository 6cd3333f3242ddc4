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
}
