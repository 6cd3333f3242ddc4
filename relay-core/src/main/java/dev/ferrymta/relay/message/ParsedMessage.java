package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** What came of parsing an outbox body: a valid message, or the reason it is not one. */
public sealed interface ParsedMessage {

    /** A message delivery can work with. */
    record Valid(OutboxMessage message) implements ParsedMessage {
    }

    /**
     * A body that is not a valid message. It is answered with a {@code process}/{@code invalid}
     * result and acknowledged: never requeued in a loop, never dropped silently.
     *
     * @param description what is wrong, naming the field
     * @param json        the body as JSON when it was a JSON object, for the result
     */
    record Invalid(String description, Optional<ObjectNode> json) implements ParsedMessage {
    }
}
