package dev.ferrymta.relay;

import static dev.ferrymta.relay.TestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.broker.TestBroker;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    /** The message that says it, wherever it sits in the chain. */
    private static String describe(Throwable error) {
        var all = new StringBuilder();
        for (var cause = error; cause != null; cause = cause.getCause()) {
            all.append(cause.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
