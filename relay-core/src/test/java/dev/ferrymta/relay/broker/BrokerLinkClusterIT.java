package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.testing.TestNames;
import dev.ferrymta.testing.broker.TestRabbitCluster;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BrokerLink} on the three-node cluster of {@code dev/rabbitmq-cluster} (started by
 * {@link TestRabbitCluster} when it is not running, and left running): when the node the link is
 * on stops, the link moves to another node by itself and reports that one.
 */
class BrokerLinkClusterIT {

    private static final Logger log = LoggerFactory.getLogger(BrokerLinkClusterIT.class);

    @RegisterExtension
    final TestRabbitCluster cluster = new TestRabbitCluster();

    private BrokerLink link;

    @AfterEach
    void close() {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void movesToAnotherNodeWhenItsNodeStops() throws Exception {
        link = new BrokerLink(AmqpAddress.parse(cluster.address()), "ferry broker link cluster it " + TestNames.randomId());
        assertThat(link.connect()).isTrue();
        var first = link.node().orElseThrow();
        var stopped = cluster.node(first);
        var recovered = new CountDownLatch(1);
        link.onRecovery(recovered::countDown);

        cluster.stopApp(stopped);
        log.info("stopped {}, the node the link was on", stopped.name());

        assertThat(recovered.await(60, TimeUnit.SECONDS)).as("recovered within 60 s after %s stopped", stopped.name()).isTrue();
        assertThat(link.state()).isEqualTo(LinkState.UP);
        var now = link.node().orElseThrow();
        assertThat(now).isNotEqualTo(first);
        assertThat(cluster.nodes()).extracting(TestRabbitCluster.Node::hostAndPort).contains(now);
        try (var channel = link.connection().createChannel()) {
            assertThat(channel.queueDeclare().getQueue()).as("a queue declared through the node the link moved to").isNotEmpty();
        }
    }
}
