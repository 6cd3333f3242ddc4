package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.MessageProperties;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.testing.broker.TestVirtualHost;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The outbox consumer's prefetch follows the sizes of the messages delivered ({@link PrefetchWindow},
 * docs/adr/0017), against RabbitMQ: the broker's own view of each consumer's prefetch
 * ({@code rabbitmqctl list_consumers}) is what the sizes call for, and subscribing again with
 * another prefetch neither loses nor repeats a message, nor makes the deliveries in hand
 * unsettleable.
 */
class WatchedConsumerPrefetchIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int KB = 1024;

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    private WatchedConsumer consumer;

    @AfterEach
    void close() {
        if (consumer != null) {
            consumer.close();
        }
    }

    @ParameterizedTest(name = "{0} B bodies, a budget of {1} B, two consumers, rabbitmq-qos 200: prefetch {2} each")
    @CsvSource({
            "1024, 67108864, 200",
            // 64 KB bodies: 4 MB / 2 consumers / 64 KB
            "65536, 4194304, 32",
            // 1 MB bodies: two each
            "1048576, 4194304, 2",
    })
    void eachConsumersPrefetchIsWhatTheSizesCallFor(int bodyBytes, long budget, int expected) throws Exception {
        var connection = vhost.connection("prefetch-test");
        var queue = declaredQueue(connection, "sizes");
        int count = 60;
        publish(connection, queue, 0, count, bodyBytes);
        var seen = new ConcurrentHashMap<Integer, Integer>();
        consumer = consumer(connection, queue, 2, 200, budget, acking(seen));
        consumer.start();

        await().atMost(WAIT).until(() -> seen.size() == count);
        await().atMost(WAIT).untilAsserted(() -> assertThat(vhost.consumerPrefetches(queue)).containsExactly(expected, expected));
        await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.prefetches()).containsExactly(expected, expected));
        assertEachOnceAndAllSettled(seen, connection, queue);
    }

    @Test
    void largeMessagesAfterSmallOnesLowerThePrefetchAndNothingIsLostOrRepeated() throws Exception {
        var connection = vhost.connection("prefetch-test");
        var queue = declaredQueue(connection, "burst");
        int small = 600;
        int large = 40;
        publish(connection, queue, 0, small, KB);
        publish(connection, queue, small, large, 512 * KB);
        var seen = new ConcurrentHashMap<Integer, Integer>();
        var atTheLastSmallOne = new CopyOnWriteArrayList<Integer>();
        var counting = acking(seen);
        consumer = consumer(connection, queue, 1, 200, 4L * 1024 * KB, message -> {
            if (sequence(message) == small - 1) {
                atTheLastSmallOne.addAll(consumer.prefetches());
            }
            counting.accept(message);
        });
        consumer.start();
        await().atMost(WAIT).until(() -> seen.size() == small + large);

        // 4 MB over 512 KB bodies: 8. The consumer subscribes again on its timer thread, so the
        // last messages may arrive before the new prefetch is in force.
        await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.prefetches()).containsExactly(8));
        assertThat(vhost.consumerPrefetches(queue)).containsExactly(8);
        assertThat(atTheLastSmallOne).as("the prefetch while the small messages came").containsExactly(200);
        assertEachOnceAndAllSettled(seen, connection, queue);
    }

    @Test
    void anExclusiveConsumerFollowsTheSizesAndStaysExclusive() throws Exception {
        var connection = vhost.connection("prefetch-test");
        var queue = declaredQueue(connection, "exclusive");
        int count = 60;
        publish(connection, queue, 0, count, 64 * KB);
        var seen = new ConcurrentHashMap<Integer, Integer>();
        consumer = consumer(connection, queue, 1, 250, 4L * 1024 * KB, acking(seen)).exclusive();
        consumer.start();

        await().atMost(WAIT).until(() -> seen.size() == count);
        // 4 MB over 64 KB bodies (and the four bytes of the sequence number fit in them).
        await().atMost(WAIT).untilAsserted(() -> assertThat(vhost.consumerPrefetches(queue)).containsExactly(64));
        var rival = connection.createChannel();
        assertThatThrownBy(() -> rival.basicConsume(queue, false, "rival", false, false, null, new DefaultConsumer(rival)))
                .satisfies(refused -> assertThat(WatchedConsumer.refusedAsInExclusiveUse(refused)).isTrue());
        assertEachOnceAndAllSettled(seen, connection, queue);
    }

    /**
     * On a classic queue RabbitMQ credits an ack back to the consumer that holds the delivery's
     * consumer tag now. Subscribing again under the same tag would let every ack of a delivery
     * taken before a narrowing widen the new window by one.
     */
    @Test
    void afterTheWindowNarrowsTheAcksOfEarlierDeliveriesDoNotWidenIt() throws Exception {
        var connection = vhost.connection("prefetch-test");
        var queue = declaredQueue(connection, "narrowed");
        int small = 51;
        int large = 40;
        publish(connection, queue, 0, small, KB);
        publish(connection, queue, small, large, 512 * KB);
        List<InboundMessage> held = new CopyOnWriteArrayList<>();
        // 8 MB: 1 KB bodies get the maximum, 50; 512 KB bodies get 16.
        consumer = consumer(connection, queue, 1, 50, 8L * 1024 * KB, held::add);
        consumer.start();
        await().atMost(WAIT).until(() -> held.size() == small);

        // Message 0 came on the first subscription (prefetch 1), 1 to 50 on the second (50).
        // Acking one of the second's lets the first large one come; it narrows the window to 16.
        var second = held.stream().filter(message -> sequence(message) == 1).findFirst().orElseThrow();
        assertThat(second.ack()).isTrue();
        held.remove(second);
        await().atMost(WAIT).untilAsserted(() -> assertThat(consumer.prefetches()).containsExactly(16));
        await().atMost(WAIT).until(() -> ready(connection, queue) == large - 1 - 16);

        // Acking everything taken before the narrowing frees no room in the new window.
        for (var message : List.copyOf(held)) {
            if (sequence(message) <= small) {
                assertThat(message.ack()).isTrue();
                held.remove(message);
            }
        }
        await().atMost(WAIT).until(() -> held.size() == 16);
        var first = held.stream().filter(message -> sequence(message) == small + 1).findFirst().orElseThrow();
        assertThat(first.ack()).isTrue();
        held.remove(first);
        // The broker sends this ack's replacement after whatever the earlier acks let it send.
        await().atMost(WAIT).until(() -> held.stream().anyMatch(message -> sequence(message) == small + 17));
        assertThat(ready(connection, queue)).as("messages still in the queue").isEqualTo(large - 1 - 16 - 1);
        held.forEach(InboundMessage::ack);
    }

    @Test
    void theDeliveriesInHandStaySettleableAfterSubscribingAgain() throws Exception {
        var connection = vhost.connection("prefetch-test");
        var queue = declaredQueue(connection, "held");
        int count = 100;
        publish(connection, queue, 0, count, KB);
        List<InboundMessage> held = Collections.synchronizedList(new java.util.ArrayList<>());
        consumer = consumer(connection, queue, 1, 50, 64L * 1024 * KB, held::add);
        consumer.start();

        // The first subscription's ten, then the second's fifty, all unacked.
        await().atMost(WAIT).untilAsserted(() -> assertThat(vhost.consumerPrefetches(queue)).containsExactly(50));
        await().atMost(WAIT).until(() -> held.size() == PrefetchWindow.FIRST + 50);
        assertThat(ready(connection, queue)).isEqualTo(count - PrefetchWindow.FIRST - 50);

        // Acking them frees the window; the rest come on the second subscription.
        var acked = new AtomicInteger();
        await().atMost(WAIT).until(() -> {
            List<InboundMessage> now;
            synchronized (held) {
                now = List.copyOf(held);
                held.clear();
            }
            now.forEach(message -> {
                assertThat(message.ack()).as("acked on the channel it came on").isTrue();
                acked.incrementAndGet();
            });
            return acked.get() == count;
        });
        await().atMost(WAIT).until(() -> consumer.unsettled() == 0 && ready(connection, queue) == 0);
        assertThat(consumer.state()).isEqualTo(LinkState.UP);
        assertThat(consumer.restarts()).isZero();
    }

    /** Each message came once, the consumer was never lost, and everything is settled and out of the queue. */
    private void assertEachOnceAndAllSettled(Map<Integer, Integer> seen, Connection connection, String queue) {
        assertThat(seen.values()).as("each message once").containsOnly(1);
        assertThat(consumer.state()).isEqualTo(LinkState.UP);
        assertThat(consumer.restarts()).isZero();
        await().atMost(WAIT).until(() -> consumer.unsettled() == 0 && ready(connection, queue) == 0);
    }

    /** Counts each message by its sequence number and acks it. */
    private static WatchedConsumer.Handler acking(Map<Integer, Integer> seen) {
        return message -> {
            seen.merge(sequence(message), 1, Integer::sum);
            message.ack();
        };
    }

    private WatchedConsumer consumer(Connection connection, String queue, int consumers, int prefetch, long budget,
            WatchedConsumer.Handler handler) {
        return new WatchedConsumer("test consumer", connection, declaring -> queue, consumers, prefetch, false, "prefetch-test", handler,
                new IntakeBudget(budget), Clock.systemUTC(), () -> {
                });
    }

    private static String declaredQueue(Connection connection, String name) throws Exception {
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(name, true, false, false, Map.of());
        }
        return name;
    }

    /** Publishes {@code count} bodies of {@code bytes} bytes, each starting with its sequence number. */
    private static void publish(Connection connection, String queue, int first, int count, int bytes) throws Exception {
        try (var channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = first; i < first + count; i++) {
                var body = ByteBuffer.allocate(Math.max(4, bytes)).putInt(i).array();
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, body);
            }
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
    }

    private static int sequence(InboundMessage message) {
        return ByteBuffer.wrap(message.body()).getInt();
    }

    private static long ready(Connection connection, String queue) throws IOException {
        try (var channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }
}
