package dev.ferrymta.relay.outbox;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.config.RelayConfig;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Declares the queues the relay uses: the outbox, the delay tiers dead-lettering to it, the
 * parking queue and the configured result queues. All durable, all idempotent. Declared at start
 * and again every time the outbox consumer subscribes (after a lost connection, a cancel), so a
 * broker that lost its queues gets them back.
 */
public final class OutboxTopology {

    private OutboxTopology() {
    }

    /**
     * Declares everything on channels of its own, closed afterwards.
     *
     * @return the outbox queue, for the consumer
     */
    public static String declare(Connection connection, RelayConfig config, DelayTiers tiers) throws IOException {
        for (var tier : tiers.tiers()) {
            declareTier(connection, tiers, tier);
        }
        if (config.maxPriority() > 0) {
            declarePriorityQueue(connection, config.outboxQueue(), config.maxPriority(), "rabbitmq-maxpriority");
        } else {
            ensureQueue(connection, config.outboxQueue());
        }
        ensureQueue(connection, ResultPublisher.parkingQueue(config.outboxQueue()));
        for (var queue : Stream.of(config.resultsQueue(), config.successQueue(), config.failureQueue(), config.retryQueue())
                .flatMap(Optional::stream).distinct().toList()) {
            ensureQueue(connection, queue);
        }
        return config.outboxQueue();
    }

    /**
     * Declares one delay tier: durable, its TTL per queue, dead-lettering to the outbox. A tier
     * someone deleted is declared again here when a publish to it comes back unroutable.
     */
    public static void declareTier(Connection connection, DelayTiers tiers, java.time.Duration tier) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(tiers.queue(tier), true, false, false, Map.of(
                    "x-message-ttl", tier.toMillis(),
                    "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", tiers.outbox()));
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared delay queue " + tiers.queue(tier) + " timed out", e);
        } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
            throw QueueArguments.mismatch(tiers.queue(tier), e, "").orElseThrow(() -> asIo(e));
        }
    }

    /**
     * Declares a durable queue unless one of that name exists: a queue the operator made with
     * arguments of their own (a length limit, a priority) is used as it is, not refused.
     */
    public static void ensureQueue(Connection connection, String queue) throws IOException {
        var probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            closeQuietly(probe);
        } catch (IOException missing) {
            // A passive declare of a missing queue closes the channel with 404; declare on a new one.
            try (Channel channel = connection.createChannel()) {
                channel.queueDeclare(queue, true, false, false, null);
            } catch (TimeoutException e) {
                throw new IOException("closing the channel that declared " + queue + " timed out", e);
            }
        }
    }

    /**
     * Declares a durable priority queue ({@code x-max-priority}). A queue of that name that exists
     * with other arguments cannot be changed (RabbitMQ refuses with {@code PRECONDITION_FAILED}):
     * that is an error naming the queue, the argument and both values, and the config key.
     *
     * @throws IOException saying so, or why the broker could not be asked
     */
    public static void declarePriorityQueue(Connection connection, String queue, int maxPriority, String key) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-max-priority", maxPriority));
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared " + queue + " timed out", e);
        } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
            throw QueueArguments.mismatch(queue, e, ", or set " + key + " to match").orElseThrow(() -> asIo(e));
        }
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
            // Declaring is done; a failed close leaves nothing behind that matters.
        }
    }
}
