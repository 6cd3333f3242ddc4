package dev.ferrymta.relay.outbox;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.config.RelayConfig;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the queues the relay uses: the outbox, the delay tiers dead-lettering to it, the
 * parking queue and the configured result queues. All durable, all idempotent, all of the
 * {@code rabbitmq-queue-type} ({@link QueueType} has their arguments). Declared at start and
 * again every time the outbox consumer subscribes (after a lost connection, a cancel), so a
 * broker that lost its queues gets them back.
 */
public final class OutboxTopology {

    private static final Logger log = LoggerFactory.getLogger(OutboxTopology.class);

    private OutboxTopology() {
    }

    /**
     * Declares everything on channels of its own, closed afterwards.
     *
     * @return the outbox queue, for the consumer
     */
    public static String declare(Connection connection, RelayConfig config, DelayTiers tiers) throws IOException {
        for (var tier : tiers.tiers()) {
            declareTier(connection, tiers, tier, config.queueType());
        }
        if (config.maxPriority() > 0) {
            declarePriorityQueue(connection, config.outboxQueue(), config.maxPriority(), "rabbitmq-maxpriority");
        } else {
            ensureQueue(connection, config.outboxQueue(), config.queueType());
        }
        ensureQueue(connection, ResultPublisher.parkingQueue(config.outboxQueue()), config.queueType());
        for (var queue : Stream.of(config.resultsQueue(), config.successQueue(), config.failureQueue(), config.retryQueue())
                .flatMap(Optional::stream).distinct().toList()) {
            ensureQueue(connection, queue, config.queueType());
        }
        return config.outboxQueue();
    }

    /**
     * Declares one delay tier: durable, its TTL per queue, dead-lettering to the outbox
     * ({@link QueueType#delay}). A tier someone deleted is declared again here when a publish to
     * it comes back unroutable.
     *
     * @throws IOException when the tier exists with other arguments (another type, another TTL):
     *                     one error naming the queue, the argument and both values
     */
    public static void declareTier(Connection connection, DelayTiers tiers, java.time.Duration tier, QueueType type)
            throws IOException {
        QueueArguments.declare(connection, tiers.queue(tier), type.delay(tier, tiers.outbox()), "");
    }

    /**
     * Declares a durable queue of {@code type} ({@link QueueType#durable}) unless one of that name
     * exists: a queue the operator made with arguments of their own (a length limit, a priority,
     * another type) is used as it is, not refused.
     */
    public static void ensureQueue(Connection connection, String queue, QueueType type) throws IOException {
        var probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            closeQuietly(probe);
        } catch (IOException missing) {
            // A passive declare of a missing queue closes the channel with 404; declare on a new one.
            try (Channel channel = connection.createChannel()) {
                channel.queueDeclare(queue, true, false, false, type.durable());
            } catch (TimeoutException e) {
                throw new IOException("closing the channel that declared " + queue + " timed out", e);
            }
        }
    }

    /**
     * Declares a durable classic priority queue ({@code x-max-priority}). A queue of that name that
     * exists with other arguments cannot be changed (RabbitMQ refuses with
     * {@code PRECONDITION_FAILED}): that is an error naming the queue, the argument and both values,
     * and the config key.
     *
     * @throws IOException saying so, or why the broker could not be asked
     */
    public static void declarePriorityQueue(Connection connection, String queue, int maxPriority, String key) throws IOException {
        QueueArguments.declare(connection, queue, QueueType.CLASSIC.priority(maxPriority), ", or set " + key + " to match");
    }

    /**
     * Says once, at start, when the outbox existed as another type than {@code rabbitmq-queue-type}
     * (Ferry uses it as it is: it only publishes to it and consumes it), and when an existing
     * quorum outbox has a delivery limit Ferry's own requeues can reach. Asked of the broker with
     * {@link QueueArguments#existing}; a priority outbox is declared strictly and not checked here.
     */
    public static void checkOutbox(Connection connection, RelayConfig config) {
        if (config.maxPriority() > 0) {
            return;
        }
        var outbox = config.outboxQueue();
        var wanted = config.queueType();
        var found = QueueArguments.existing(connection, outbox, wanted.durable());
        if (found.isEmpty()) {
            log.debug("could not tell the type of the outbox '{}' from the broker's answers", outbox);
            return;
        }
        var type = found.get().type();
        if (!type.equals(wanted.argument())) {
            log.warn("the outbox '{}' exists as a {} queue, but {} is {}: Ferry uses it as it is; to have it {}, drain and delete it "
                    + "while Ferry is stopped, and Ferry declares it at its next start", outbox, type, QueueType.KEY, wanted, wanted);
        } else if (type.equals(QueueType.QUORUM.argument())) {
            deliveryLimitProblem(found.get().arguments().get("x-delivery-limit"), brokerMajorVersion(connection))
                    .ifPresent(problem -> log.warn("the outbox '{}' is a quorum queue with x-delivery-limit {}: RabbitMQ drops (or "
                            + "dead-letters) a message returned to it more often than that, and Ferry returns messages it could not "
                            + "handle yet; drain and delete it while Ferry is stopped, and Ferry declares it with x-delivery-limit {}",
                            outbox, problem, QueueType.DELIVERY_LIMIT));
        }
    }

    /**
     * Why a quorum queue's {@code x-delivery-limit} can drop Ferry's messages, or empty when it
     * cannot in practice. Unset: no limit on RabbitMQ 3.x, 20 returns on RabbitMQ 4. Negative: no
     * limit on RabbitMQ 4, dropped at the first return on RabbitMQ 3.x (tried on 3.10.8). Anything
     * below {@link QueueType#DELIVERY_LIMIT}: that many returns.
     *
     * @param limit        the queue's {@code x-delivery-limit}, or null when unset
     * @param brokerMajor  the broker's major version, 0 when unknown (taken as 3)
     */
    static Optional<String> deliveryLimitProblem(Object limit, int brokerMajor) {
        if (limit == null) {
            return brokerMajor >= 4 ? Optional.of("unset (RabbitMQ 4 then allows 20 returns)") : Optional.empty();
        }
        if (!(limit instanceof Number number)) {
            return Optional.of(String.valueOf(limit));
        }
        if (number.longValue() < 0) {
            return brokerMajor >= 4 ? Optional.empty() : Optional.of(number + " (RabbitMQ 3 drops a message at its first return)");
        }
        return number.longValue() < QueueType.DELIVERY_LIMIT ? Optional.of(number.toString()) : Optional.empty();
    }

    /** The broker's major version from its {@code version} server property; 0 when it says none. */
    static int brokerMajorVersion(Connection connection) {
        var version = connection.getServerProperties() == null ? null : connection.getServerProperties().get("version");
        if (version == null) {
            return 0;
        }
        var digits = version.toString().split("\\.", 2)[0];
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
            // Declaring is done; a failed close leaves nothing behind that matters.
        }
    }
}
