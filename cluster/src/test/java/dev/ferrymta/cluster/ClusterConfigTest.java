package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.config.ConfigException;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    private static ClusterConfig cluster(String file) {
        var keys = new HashSet<>(ClusterConfig.KEYS);
        keys.add("rabbitmq-address");
        return ClusterConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(file, "f")), keys));
    }

    @Test
    void theClusterBrokerDefaultsToTheRabbitmqAddress() {
        var cluster = cluster("rabbitmq-address: amqp://u:p@mq1/mail\n");

        assertThat(cluster.address()).isEqualTo(AmqpAddress.parse("amqp://u:p@mq1/mail"));
        assertThat(cluster.exchange()).isEqualTo("cluster");
    }

    @Test
    void theClusterBrokerMayBeSeveralNodesAndDefaultsToThoseOfTheRabbitmqAddress() {
        var nodes = "amqp://u:p@mq1/mail, amqp://u:p@mq2/mail, amqp://u:p@mq3/mail";

        assertThat(cluster("rabbitmq-address: " + nodes + "\n").address()).isEqualTo(AmqpAddress.parse(nodes));
        assertThat(cluster("rabbitmq-address: amqp://u:p@mq1/mail\ncluster-address: " + nodes + "\n").address().nodes())
                .hasSize(3);
    }

    @Test
    void refusesClusterNodesWithDifferentUsersNamingTheKey() {
        assertThatThrownBy(() -> cluster("cluster-address: amqp://a:s3cret@mq1/,amqp://b:s3cret@mq2/\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster-address: 'amqp://a:****@mq1/,amqp://b:****@mq2/' (f line 1) is not valid")
                .hasMessageContaining("(address 2 has user 'b' and address 1 'a';")
                .message().doesNotContain("s3cret");
    }

    @Test
    void theTimeoutDefaultsToThreeIntervals() {
        assertThat(cluster("cluster-interval: 2\n").timeout()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void refusesATimeoutNoLongerThanTheInterval() {
        assertThatThrownBy(() -> cluster("cluster-interval: 10\ncluster-peer-expiry: 10\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster-peer-expiry: '10' (f line 2) is not valid: expected longer than cluster-interval");
    }

    @Test
    void refusesAShortSecretWithoutRepeatingIt() {
        assertThatThrownBy(() -> cluster("cluster-secret: abc\n"))
                .hasMessage("cluster-secret: the value (f line 1) is not valid: expected at least 16 characters");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> orphanTimes() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("", Duration.ofMinutes(10)),
                org.junit.jupiter.params.provider.Arguments.of("cluster-interval: 1\ncluster-orphan-after: 5\n", Duration.ofSeconds(5)),
                org.junit.jupiter.params.provider.Arguments.of("cluster-orphan-after: 2h\n", Duration.ofHours(2)),
                org.junit.jupiter.params.provider.Arguments.of("cluster-interval: 300\ncluster-peer-expiry: 1200\n", Duration.ofMinutes(20)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("orphanTimes")
    void drainsAGonePeersQueueAfterTheOrphanTime(String file, Duration expected) {
        assertThat(cluster(file).orphanAfter()).isEqualTo(expected);
    }

    @Test
    void refusesAnOrphanTimeShorterThanThePeerExpiry() {
        assertThatThrownBy(() -> cluster("cluster-peer-expiry: 30\ncluster-orphan-after: 10\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster-orphan-after: '10' (f line 2) is not valid: expected at least cluster-peer-expiry");
    }
}
