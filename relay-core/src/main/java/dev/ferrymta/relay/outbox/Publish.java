package dev.ferrymta.relay.outbox;

import com.rabbitmq.client.AMQP;
import java.util.Objects;

/**
 * One message that replaces (part of) an outbox message on the broker: a result for a result
 * queue, or the message itself for a delay queue. Always published to the default exchange,
 * persistent, mandatory and confirmed.
 *
 * @param queue      the queue it goes to
 * @param properties its AMQP properties
 * @param body       its body
 * @param role       what it is, which decides what happens when it cannot be stored
 */
public record Publish(String queue, AMQP.BasicProperties properties, byte[] body, Role role) {

    /** What a publish is to the message it replaces. */
    public enum Role {
        /** A result (results, success, failure or retry queue): parked when it cannot be stored. */
        RESULT,
        /** The message itself, going round a delay queue for a later attempt. */
        COPY
    }

    public Publish {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(role, "role");
    }
}
