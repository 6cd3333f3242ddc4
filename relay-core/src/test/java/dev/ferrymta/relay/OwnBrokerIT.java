package dev.ferrymta.relay;

import static dev.ferrymta.relay.RelayFixture.message;
import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.outbox.ResultPublisher;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.broker.TestRabbitNode;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay on a RabbitMQ node of the test's own, for what cannot be done to the machine's main
 * node: a {@code max_message_size} below a message's retry copy, and a node reset to empty while
 * the relay runs (a replaced node, a container that lost its volume). One node for the class: a
 * start takes several seconds.
 */
class OwnBrokerIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int MAX_MESSAGE_SIZE = 1024 * 1024;

    @RegisterExtension
    static final TestRabbitNode node = TestRabbitNode.withConfig("max_message_size = " + MAX_MESSAGE_SIZE);

    @RegisterExtension
    final TestBroker names = new TestBroker();

    private RelayFixture relay;
    private SmtpSink sink;

    @BeforeEach
    void start() throws Exception {
        sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0);
        relay = new RelayFixture(names, node);
        relay.settings(settings().route("sink.test", "127.0.0.1", sink.port()).version(1));
    }

    @AfterEach
    void stop() {
        relay.close();
        sink.close();
    }

    @Test
    void aRetryCopyLargerThanTheBrokerTakesEndsInAFailureResultAfterOneAttempt() throws Exception {
        sink.script().on(SmtpCommand.MAIL).reply(451, "4.3.0 try again later");
        relay.start();
        var message = message("large@sink.test");
        message.putArray("retries").add(1);
        // The outbox message fits; the retry copy, a results entry and nextattempt larger, does not.
        var base = RelayFixture.JSON.writeValueAsBytes(message).length;
        message.put("mime", message.get("mime").asText() + "x".repeat(MAX_MESSAGE_SIZE - base - 64));
        relay.send(message);

        var failure = relay.take(relay.failure, 1, WAIT).getFirst();
        var entries = failure.get("results");
        assertThat(entries).extracting(r -> r.get("state").asText() + "/" + r.get("result").asText())
                .containsExactly("mailfrom/error", "process/error");
        assertThat(entries.get(1).get("description").asText())
                .startsWith("gave up: the copy for the next attempt cannot be stored on the broker: too large")
                .contains("max_message_size");
        assertThat(sink.connectionsAccepted()).as("SMTP attempts").isEqualTo(1);
        await().atMost(WAIT).until(() -> relay.relay().status().unsettled() == 0);
        assertThat(relay.depth(relay.outbox)).isZero();
        assertThat(sink.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void aNodeResetToEmptyGetsItsQueuesAndConsumersBackAndDeliversAgain() throws Exception {
        relay.start();
        relay.send(message("before@sink.test"));
        assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
        relay.take(relay.results, 1, WAIT);
        var consumer = relay.relay().outboxConsumer();
        var states = new CopyOnWriteArrayList<LinkState>();
        var watching = new AtomicBoolean(true);
        var watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                states.add(consumer.state());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        node.reset();

        await().atMost(WAIT).until(() -> states.contains(LinkState.DOWN) && consumer.state() == LinkState.UP);
        watching.set(false);
        watcher.join();
        relay.reopen();
        for (var queue : List.of(relay.outbox, relay.outbox + ".delay.1", relay.outbox + ".delay.14400", relay.results,
                relay.failure, ResultPublisher.parkingQueue(relay.outbox))) {
            relay.channel().queueDeclarePassive(queue);
        }
        relay.send(message("after@sink.test"));
        assertThat(sink.awaitMessages(2, WAIT)).extracting(m -> m.recipients().getFirst())
                .containsExactly("before@sink.test", "after@sink.test");
        assertThat(relay.take(relay.results, 1, WAIT).getFirst().get("recipient").asText()).isEqualTo("after@sink.test");
        assertThat(relay.take(relay.success, 1, WAIT)).hasSize(1);
    }
}
