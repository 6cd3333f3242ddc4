package dev.ferrymta.testing.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.rabbitmq.client.BuiltinExchangeType;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

class TestBrokerIT {

    /** Names the sample tests below used, read after they ran. */
    static final List<String> USED = new CopyOnWriteArrayList<>();

    @Test
    void deletesTheQueuesAndExchangesOfATestAfterIt() throws Exception {
        run(DeclaresAndPasses.class);

        assertThat(USED).hasSize(3);
        assertGone(USED);
    }

    @Test
    void deletesThemAlsoWhenTheTestFails() throws Exception {
        var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeclaresAndFails.class)).execute();

        results.testEvents().assertStatistics(stats -> stats.failed(1));
        assertGone(USED);
    }

    @Test
    void givesEachTestNamesOfItsOwn() {
        run(TwoTests.class);

        assertThat(USED).hasSize(2).doesNotHaveDuplicates()
                .allSatisfy(name -> assertThat(name).startsWith("ferrytest.twotests.").endsWith(".outbox"));
    }

    private static void run(Class<?> sample) {
        USED.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute()
                .testEvents().assertStatistics(stats -> stats.failed(0));
    }

    private static void assertGone(List<String> names) throws Exception {
        try (var connection = TestBroker.factory().newConnection()) {
            for (var name : names) {
                var channel = connection.createChannel();
                assertThatThrownBy(() -> {
                    if (name.endsWith(".exchange")) {
                        channel.exchangeDeclarePassive(name);
                    } else {
                        channel.queueDeclarePassive(name);
                    }
                }).as(name).isInstanceOf(IOException.class).hasStackTraceContaining("NOT_FOUND");
            }
        }
    }

    static class DeclaresAndPasses {
        @RegisterExtension
        final TestBroker broker = new TestBroker();

        @Test
        void declares() throws Exception {
            var channel = broker.connection().createChannel();
            var queue = broker.queue("outbox");
            var derived = broker.track(queue + ".delay.60");
            var exchange = broker.exchange("exchange");
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(derived, true, false, false, null);
            channel.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true);
            USED.addAll(List.of(queue, derived, exchange));
        }
    }

    static class DeclaresAndFails {
        @RegisterExtension
        final TestBroker broker = new TestBroker();

        @Test
        void declaresThenFails() throws Exception {
            var queue = broker.queue("outbox");
            broker.connection().createChannel().queueDeclare(queue, true, false, false, null);
            USED.add(queue);
            throw new AssertionError("this sample test fails on purpose");
        }
    }

    static class TwoTests {
        @RegisterExtension
        final TestBroker broker = new TestBroker();

        @Test
        void first() {
            USED.add(broker.queue("outbox"));
        }

        @Test
        void second() {
            USED.add(broker.queue("outbox"));
        }
    }
}
