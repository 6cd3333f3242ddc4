package dev.ferrymta.relay;

import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.broker.TestBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A queue Ferry declares that already exists with other arguments is one clear error naming the
 * queue, the argument and both values, not a nested PRECONDITION_FAILED.
 */
class QueueArgumentsIT {

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;

    @AfterEach
    void stop() {
        relay.close();
    }

    @Test
    void aDelayQueueThatExistsWithAnotherTtlIsNamedWithBothValues() throws Exception {
        relay = new RelayFixture(broker);
        relay.settings(settings().version(1));
        var tiers = new DelayTiers(relay.outbox);
        var first = tiers.tiers().getFirst();
        try (var connection = broker.connection(); var channel = connection.createChannel()) {
            channel.queueDeclare(tiers.queue(first), true, false, false, Map.of("x-message-ttl", first.toMillis() + 1));
        }

        var error = catchThrowable(relay::start);

        assertThat(error).isNotNull();
        var message = describe(error);
        assertThat(message).contains("queue '" + tiers.queue(first) + "' exists with x-message-ttl " + (first.toMillis() + 1)
                + ", but Ferry declares it with x-message-ttl " + first.toMillis() + ": RabbitMQ cannot change a queue's arguments");
    }

    /** A delay queue of the other type, as the other setting of rabbitmq-queue-type (or an operator) declared it. */
    static Stream<Arguments> otherTypes() {
        return Stream.of(
                Arguments.of("classic, as Ferry declared it before rabbitmq-queue-type", null, "quorum", "classic"),
                Arguments.of("classic", QueueType.CLASSIC, "quorum", "classic"),
                Arguments.of("quorum", QueueType.QUORUM, "classic", "quorum"));
    }

    @ParameterizedTest(name = "a delay queue that exists as {0} while rabbitmq-queue-type is {2}")
    @MethodSource("otherTypes")
    void aDelayQueueOfTheOtherTypeIsNamedWithBothTypes(String existing, QueueType declaredAs, String configured, String type)
            throws Exception {
        relay = new RelayFixture(broker).with("rabbitmq-queue-type", configured);
        relay.settings(settings().version(1));
        var tiers = new DelayTiers(relay.outbox);
        var tier = tiers.tiers().get(1);
        predeclare(tiers.queue(tier), declaredAs == null ? classicDelayWithoutType(tier, relay.outbox) : declaredAs.delay(tier, relay.outbox));

        var error = catchThrowable(relay::start);

        assertThat(error).isNotNull();
        // RabbitMQ names whichever argument it compares first (x-overflow, x-dead-letter-strategy ...); the error names the type.
        assertThat(describe(error)).contains("queue '" + tiers.queue(tier) + "' exists with x-queue-type " + type
                + ", but Ferry declares it with x-queue-type " + configured + " (rabbitmq-queue-type): RabbitMQ cannot change a "
                + "queue's type; drain and delete the queue so Ferry declares it again, or set rabbitmq-queue-type to " + type
                + " (RabbitMQ: PRECONDITION_FAILED - inequivalent arg '");
    }

    @Test
    void aQuorumOutboxWhereRabbitmqMaxpriorityAsksForAPriorityQueueIsNamedWithBothTypes() throws Exception {
        relay = new RelayFixture(broker).with("rabbitmq-maxpriority", "10");
        relay.settings(settings().version(1));
        predeclare(relay.outbox, QueueType.QUORUM.durable());

        var error = catchThrowable(relay::start);

        assertThat(error).isNotNull();
        // Not "or set rabbitmq-queue-type to quorum": a priority outbox cannot be a quorum queue.
        assertThat(describe(error)).contains("queue '" + relay.outbox + "' exists with x-queue-type quorum, but Ferry declares it "
                + "with x-queue-type classic (rabbitmq-queue-type): RabbitMQ cannot change a queue's type; drain and delete the "
                + "queue so Ferry declares it again, or set rabbitmq-maxpriority to match (RabbitMQ: PRECONDITION_FAILED");
    }

    @Test
    void aDelayQueueDeclaredBeforeRabbitmqQueueTypeExistedIsTakenAsClassic() throws Exception {
        relay = new RelayFixture(broker);
        relay.settings(settings().version(1));
        var tiers = new DelayTiers(relay.outbox);
        for (var tier : tiers.tiers()) {
            predeclare(tiers.queue(tier), classicDelayWithoutType(tier, relay.outbox));
        }

        relay.start();

        assertThat(relay.relay().outboxConsumer().state()).isEqualTo(dev.ferrymta.relay.lifecycle.LinkState.UP);
    }

    /** The arguments Ferry gave its delay queues before it sent x-queue-type. */
    private static Map<String, Object> classicDelayWithoutType(Duration tier, String outbox) {
        var arguments = new HashMap<>(QueueType.CLASSIC.delay(tier, outbox));
        arguments.remove("x-queue-type");
        return arguments;
    }

    private void predeclare(String queue, Map<String, Object> arguments) throws Exception {
        try (var connection = broker.connection(); var channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, arguments);
        }
    }

    /** The message that says it, wherever it sits in the chain. */
    private static String describe(Throwable error) {
        for (var cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                return cause.getMessage();
            }
        }
        return String.valueOf(error);
    }
}
