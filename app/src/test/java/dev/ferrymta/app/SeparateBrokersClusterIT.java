package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances, each with its outbox and results on a broker of its own (here: a virtual host
 * each), sharing only the {@code cluster-address}: they still find each other and forward.
 */
class SeparateBrokersClusterIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost clusterBroker = new TestVirtualHost();

    @RegisterExtension
    final TestVirtualHost brokerA = new TestVirtualHost();

    @RegisterExtension
    final TestVirtualHost brokerB = new TestVirtualHost();

    @Test
    void forwardsOverTheSharedClusterBrokerOnly() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(clusterBroker, database)) {
            var instances = cluster.start(List.of("node-a", "node-b"), List.of("127.0.0.2", "127.0.0.3"), List.of(brokerA, brokerB));
            var a = instances.get(0);
            var b = instances.get(1);
            long version = a.create("routes", Map.of("domain", "apart.test", "kind", "smarthost", "host", "127.0.0.1",
                    "port", sink.port())).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.configVersion() >= version && b.configVersion() >= version);

            cluster.publish(a, List.of(TestCluster.message("user@apart.test", "apart 1", "127.0.0.3")));

            var received = sink.awaitMessages(1, Duration.ofSeconds(20)).getFirst();
            assertThat(received.clientAddress().getHostAddress()).isEqualTo("127.0.0.3");
            await().atMost(Duration.ofSeconds(10)).until(() -> TestCluster.depth(b, b.results()) == 1);
            assertThat(TestCluster.depth(a, a.results())).isZero();
            assertThat(cluster.listCluster()).anySatisfy(line -> assertThat(line).startsWith("2 live instances"));
        }
    }
}
