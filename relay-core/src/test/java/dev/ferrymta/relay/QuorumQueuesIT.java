package dev.ferrymta.relay;

import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import dev.ferrymta.relay.config.HostInfo;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.relay.outbox.OutboxTopology;
import dev.ferrymta.relay.outbox.ResultPublisher;
import dev.ferrymta.testing.broker.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * {@code rabbitmq-queue-type: quorum} against the real broker: every queue Ferry declares is a
 * quorum queue, Ferry's delivery limit is out of reach of its own requeues, and an outbox that
 * exists as the other type is used as it is, with one warning. (A retry through a quorum delay
 * queue: {@link RelayIT}; a delay queue of the other type: {@link QueueArgumentsIT}.)
 */
class QuorumQueuesIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void withQuorumEveryQueueFerryDeclaresIsAQuorumQueue() throws Exception {
        relay = new RelayFixture(broker).with("rabbitmq-queue-type", "quorum");
        relay.settings(settings().version(1));
        relay.start();

        var tiers = new DelayTiers(relay.outbox);
        var connection = broker.connection();
        for (var queue : new String[] {relay.outbox, ResultPublisher.parkingQueue(relay.outbox), relay.results, relay.success,
                relay.failure, relay.retry}) {
            assertIsOfType(connection, queue, QueueType.QUORUM.durable());
        }
        for (var tier : tiers.tiers()) {
            assertIsOfType(connection, tiers.queue(tier), QueueType.QUORUM.delay(tier, relay.outbox));
        }
    }

    @Test
    void aMessageReturnedMoreThanTwentyTimesStaysInTheQuorumOutbox() throws Exception {
        var outbox = broker.queue("outbox");
        var tiers = new DelayTiers(outbox);
        tiers.tiers().forEach(tier -> broker.track(tiers.queue(tier)));
        broker.track(ResultPublisher.parkingQueue(outbox));
        var connection = broker.connection();
        OutboxTopology.declare(connection, quorumConfig(outbox), tiers);
        var channel = connection.createChannel();
        // The outbox has a delivery limit, and not RabbitMQ 4's default of 20.
        var twenty = new HashMap<>(QueueType.QUORUM.durable());
        twenty.put("x-delivery-limit", 20);
        assertRefused(connection, outbox, twenty, "inequivalent arg 'x-delivery-limit'");

        channel.basicPublish("", outbox, AmqpHeaders.persistentJson(null, null), "{}".getBytes(StandardCharsets.UTF_8));
        for (int returned = 0; returned < 25; returned++) {
            var delivery = get(channel, outbox);
            assertThat(deliveryCount(delivery)).as("x-delivery-count").isEqualTo(returned);
            channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
        }
        var last = get(channel, outbox);
        assertThat(deliveryCount(last)).isEqualTo(25);
        channel.basicAck(last.getEnvelope().getDeliveryTag(), false);

        // The same loop on a quorum queue with a limit of 2: the broker does enforce limits, and dead-letters the message.
        var limited = broker.queue("limited");
        var dropped = broker.queue("dropped");
        channel.queueDeclare(dropped, true, false, false, QueueType.QUORUM.durable());
        var limitOfTwo = new HashMap<>(QueueType.QUORUM.durable());
        limitOfTwo.putAll(Map.of("x-delivery-limit", 2, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dropped));
        channel.queueDeclare(limited, true, false, false, limitOfTwo);
        channel.basicPublish("", limited, AmqpHeaders.persistentJson(null, null), "{}".getBytes(StandardCharsets.UTF_8));
        for (int returned = 0; returned <= 2; returned++) {
            channel.basicNack(get(channel, limited).getEnvelope().getDeliveryTag(), false, true);
        }
        var deadLettered = get(channel, dropped);
        assertThat(AmqpHeaders.text(deadLettered.getProps().getHeaders(), "x-first-death-reason")).contains("delivery_limit");
        assertThat(channel.basicGet(limited, true)).isNull();
    }

    /** An outbox declared by someone else, the type Ferry is configured for, and what Ferry says about it. */
    static Stream<Arguments> existingOutboxes() {
        var quorumOfTwenty = new HashMap<String, Object>(QueueType.QUORUM.durable());
        quorumOfTwenty.put("x-delivery-limit", 20);
        return Stream.of(
                Arguments.of(null, "quorum", "exists as a classic queue, but rabbitmq-queue-type is quorum: Ferry uses it as it is"),
                Arguments.of(Map.of("x-queue-type", "quorum"), "classic",
                        "exists as a quorum queue, but rabbitmq-queue-type is classic: Ferry uses it as it is"),
                Arguments.of(Map.of("x-max-length", 100_000), "quorum",
                        "exists as a classic queue, but rabbitmq-queue-type is quorum: Ferry uses it as it is"),
                Arguments.of(quorumOfTwenty, "quorum", "is a quorum queue with x-delivery-limit 20: RabbitMQ drops (or dead-letters)"));
    }

    @ParameterizedTest(name = "an outbox declared with {0}, rabbitmq-queue-type {1}")
    @MethodSource("existingOutboxes")
    void anExistingOutboxIsUsedAsItIsAndAQueueTypeOrLimitThatDiffersIsSaidOnce(Map<String, Object> existing, String configured,
            String warning) throws Exception {
        relay = new RelayFixture(broker).with("rabbitmq-queue-type", configured);
        relay.settings(settings().version(1));
        var connection = broker.connection();
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(relay.outbox, true, false, false, existing);
        }
        var logged = startLoggingTopology();

        assertThat(relay.relay().outboxConsumer().state()).isEqualTo(LinkState.UP);
        assertThat(logged).filteredOn(event -> event.getFormattedMessage().startsWith("the outbox"))
                .singleElement().satisfies(event -> {
                    assertThat(event.getLevel()).hasToString("WARN");
                    assertThat(event.getFormattedMessage()).startsWith("the outbox '" + relay.outbox + "' ").contains(warning);
                });
        // Used as it is: its own arguments still match it.
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(relay.outbox, true, false, false, existing);
        }
    }

    @Test
    void anOutboxOfTheConfiguredTypeIsNotWarnedAbout() throws Exception {
        relay = new RelayFixture(broker).with("rabbitmq-queue-type", "quorum");
        relay.settings(settings().version(1));
        var connection = broker.connection();
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(relay.outbox, true, false, false, QueueType.QUORUM.durable());
        }
        var logged = startLoggingTopology();

        assertThat(relay.relay().outboxConsumer().state()).isEqualTo(LinkState.UP);
        assertThat(logged).noneMatch(event -> event.getLevel().toString().equals("WARN"));
        assertThat(QueueArguments.existing(connection, relay.outbox, QueueType.CLASSIC.durable()))
                .hasValueSatisfying(found -> assertThat(found.type()).isEqualTo("quorum"));
    }

    /** Starts the relay and returns what {@link OutboxTopology} logged meanwhile. */
    private List<ILoggingEvent> startLoggingTopology() throws Exception {
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        var logger = (Logger) LoggerFactory.getLogger(OutboxTopology.class);
        logger.addAppender(logged);
        try {
            relay.start();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list;
    }

    /** A RelayConfig with quorum queues, this outbox and no result queues, as the config file gives it. */
    private static RelayConfig quorumConfig(String outbox) {
        var text = String.join("\n", "rabbitmq-outbox: " + outbox, "rabbitmq-queue-type: quorum", "rabbitmq-results:",
                "rabbitmq-failure:", "smtp-ips: 127.0.0.2", "");
        return RelayConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(text, "test")), RelayConfig.KEYS),
                HostInfo.local());
    }

    /** The queue exists with these arguments (RabbitMQ takes the declare), and refuses x-queue-type classic. */
    private static void assertIsOfType(Connection connection, String queue, Map<String, Object> arguments) throws Exception {
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, arguments);
        }
        assertRefused(connection, queue, Map.of("x-queue-type", "classic"), "PRECONDITION_FAILED - inequivalent arg");
    }

    private static void assertRefused(Connection connection, String queue, Map<String, Object> arguments, String reason)
            throws Exception {
        var channel = connection.createChannel();
        var refusal = catchThrowable(() -> channel.queueDeclare(queue, true, false, false, arguments));
        assertThat(refusal).as("declaring %s with %s", queue, arguments).isInstanceOf(IOException.class);
        assertThat(QueueArguments.brokerReason(refusal)).contains(reason).contains("'" + queue + "'");
    }

    /** The next message of a queue, unacknowledged, waiting for it up to {@link #WAIT}. */
    private static GetResponse get(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var response = channel.basicGet(queue, false);
            if (response != null) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message on " + queue + " within " + WAIT);
            }
            Thread.sleep(10);
        }
    }

    private static long deliveryCount(GetResponse response) {
        AMQP.BasicProperties properties = response.getProps();
        return AmqpHeaders.text(AmqpHeaders.of(properties), "x-delivery-count").map(Long::parseLong).orElse(0L);
    }
}
