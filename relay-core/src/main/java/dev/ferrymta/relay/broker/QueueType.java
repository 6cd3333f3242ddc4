package dev.ferrymta.relay.broker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rabbitmq-queue-type}: the RabbitMQ queue type ({@code x-queue-type}) of the durable
 * queues Ferry declares: the outbox, its delay queues, the parking queue, the result queues and
 * the forward queues. The arguments of each kind of queue, per type, are here, so every declare
 * of the same queue sends the same ones (RabbitMQ refuses a declare whose arguments differ from
 * the existing queue's, docs/adr/0013-quorum-queues.md).
 *
 * <p>RabbitMQ's queue arguments (https://www.rabbitmq.com/docs/queues#optional-arguments,
 * https://www.rabbitmq.com/docs/quorum-queues): a quorum queue is always durable, never exclusive
 * or auto-delete, has no {@code x-max-priority} on RabbitMQ 3.x, and counts how often each
 * message was returned ({@code x-delivery-count}), dropping or dead-lettering it past its
 * {@code x-delivery-limit}.
 */
public enum QueueType {

    /** Classic queues, as Ferry declared them before this key existed; the default. */
    CLASSIC("classic"),
    /** Quorum queues: replicated over the nodes of a RabbitMQ cluster (Raft). */
    QUORUM("quorum");

    /** The config key. */
    public static final String KEY = "rabbitmq-queue-type";

    /**
     * The {@code x-delivery-limit} of every quorum queue Ferry declares: 2147483647 returns, the
     * largest 32-bit signed integer, so no requeue of Ferry's ever reaches it. Not {@code -1}:
     * RabbitMQ 4 reads -1 as "no limit", but RabbitMQ 3.10 accepts it and drops a message at its
     * first return (tried on 3.10.8). Not unset: RabbitMQ 4 then applies a limit of 20.
     */
    public static final int DELIVERY_LIMIT = Integer.MAX_VALUE;

    private final String argument;

    QueueType(String argument) {
        this.argument = argument;
    }

    /** The value of {@code x-queue-type}, and of the config key: {@code classic} or {@code quorum}. */
    public String argument() {
        return argument;
    }

    /** The type a value of the config key names; empty for any other text. */
    public static Optional<QueueType> named(String value) {
        for (var type : values()) {
            if (type.argument.equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * The arguments of a plain durable queue of this type: the outbox without priorities, the
     * parking queue, the result queues, the forward queues. Classic: {@code x-queue-type classic}
     * only (RabbitMQ takes it as equivalent to a classic queue declared without it). Quorum:
     * {@code x-queue-type quorum} and {@code x-delivery-limit} {@value #DELIVERY_LIMIT}.
     */
    public Map<String, Object> durable() {
        var arguments = new LinkedHashMap<String, Object>();
        arguments.put("x-queue-type", argument);
        if (this == QUORUM) {
            arguments.put("x-delivery-limit", DELIVERY_LIMIT);
        }
        return arguments;
    }

    /**
     * The arguments of a delay queue: the plain ones, {@code x-message-ttl} (milliseconds, for the
     * whole queue) and dead-lettering to {@code target} through the default exchange. Quorum
     * queues dead-letter {@code at-least-once} (kept in the delay queue until the target
     * confirms), which RabbitMQ honours only with {@code x-overflow reject-publish}: with any other
     * overflow it falls back to at-most-once without saying so to the client.
     *
     * @param ttl    how long a message waits, whole milliseconds, at least 1
     * @param target the queue the messages go back to, the outbox
     */
    public Map<String, Object> delay(Duration ttl, String target) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("a delay queue's TTL must be at least 1 ms, not " + ttl);
        }
        var arguments = durable();
        arguments.put("x-message-ttl", ttl.toMillis());
        arguments.put("x-dead-letter-exchange", "");
        arguments.put("x-dead-letter-routing-key", target);
        if (this == QUORUM) {
            arguments.put("x-dead-letter-strategy", "at-least-once");
            arguments.put("x-overflow", "reject-publish");
        }
        return arguments;
    }

    /**
     * The arguments of a priority outbox ({@code rabbitmq-maxpriority}): {@code x-max-priority}
     * on a classic queue.
     *
     * @param maxPriority 1 to 255
     * @throws IllegalStateException for quorum queues, which have no {@code x-max-priority}
     *                               (RabbitMQ 3.x refuses it; the config refuses the combination)
     */
    public Map<String, Object> priority(int maxPriority) {
        if (this != CLASSIC) {
            throw new IllegalStateException(argument + " queues have no x-max-priority");
        }
        if (maxPriority < 1 || maxPriority > 255) {
            throw new IllegalArgumentException("x-max-priority must be from 1 to 255, not " + maxPriority);
        }
        var arguments = durable();
        arguments.put("x-max-priority", maxPriority);
        return arguments;
    }

    @Override
    public String toString() {
        return argument;
    }
}
