package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.broker.QueueType;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayConfigTest {

    private static final HostInfo HOST = new FakeHost("mail1.example.com", List.of(address("192.0.2.10")));

    private static RelayConfig relay(String file) {
        return RelayConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(file, "f")), RelayConfig.KEYS), HOST);
    }

    @Test
    void defaultsFollowMailerQ() {
        var relay = relay("");

        assertThat(relay.serverId()).isEqualTo("mail1.example.com");
        assertThat(relay.rabbitmqAddress()).isEqualTo(new AmqpAddress(false, "localhost", 5672, "guest", "guest", "/"));
        assertThat(relay.outboxQueue()).isEqualTo("outbox");
        assertThat(relay.resultsQueue()).contains("results");
        assertThat(relay.successQueue()).isEmpty();
        assertThat(relay.failureQueue()).contains("failure");
        assertThat(relay.retryQueue()).isEmpty();
        assertThat(relay.smtpIps()).containsExactly(address("192.0.2.10"));
        // RFC 5321 4.5.3.2: 10 minutes for the reply to the final dot, which SmtpTimeouts caps the others below.
        assertThat(relay.smtpTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(relay.dnsServer()).isEmpty();
    }

    @Test
    void readsMailerQsRetrySettingsAsItsConfigFileHasThem() {
        // MailerQ 5.x, "other configuration": its defaults, written out.
        var relay = relay("max-delivertime: 86400\nmax-attempts: 0\nretry-interval: 600,600,1800,1800,3600,3600,7200\n");

        assertThat(relay.maxDeliverTime()).isEqualTo(Duration.ofDays(1));
        assertThat(relay.maxAttempts()).isZero();
        assertThat(relay.retryIntervals()).containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(2));
    }

    @Test
    void retriesTwentyTimesTenMinutesApartByDefault() {
        var relay = relay("");

        assertThat(relay.maxAttempts()).isEqualTo(20);
        assertThat(relay.retryIntervals()).containsExactly(Duration.ofMinutes(10));
    }

    @Test
    void refusesARetryIntervalListWithABadWaitNamingIt() {
        assertThatThrownBy(() -> relay("retry-interval: 600,soon\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("retry-interval: '600,soon'").hasMessageContaining("'soon' is not one");
        assertThatThrownBy(() -> relay("max-attempts: -1\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("a whole number from 0 to 1000");
    }

    @Test
    void readsTheNodesOfOneBroker() {
        var relay = relay("rabbitmq-address: amqp://ferry:s3cret@10.0.0.1/mail, amqp://ferry:s3cret@10.0.0.2:5673/mail\n");

        assertThat(relay.rabbitmqAddress()).isEqualTo(new AmqpAddress(false,
                List.of(new HostAndPort("10.0.0.1", 5672), new HostAndPort("10.0.0.2", 5673)), "ferry", "s3cret", "mail"));
    }

    @Test
    void refusesNodesWithDifferentVhostsNamingTheKeyButNotThePassword() {
        assertThatThrownBy(() -> relay("rabbitmq-address: amqp://ferry:s3cret@10.0.0.1/mail,amqp://ferry:s3cret@10.0.0.2/\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rabbitmq-address: 'amqp://ferry:****@10.0.0.1/mail,amqp://ferry:****@10.0.0.2/' (f line 1) "
                        + "is not valid: expected amqp://user:password@host:port/vhost")
                .hasMessageEndingWith("(address 2 has vhost '/' and address 1 'mail'; all must have the same scheme, user, password "
                        + "and vhost, as nodes of one broker)")
                .message().doesNotContain("s3cret");
    }

    @Test
    void anEmptyQueueKeyTurnsThatQueueOff() {
        assertThat(relay("rabbitmq-failure:\n").failureQueue()).isEmpty();
    }

    @Test
    void readsTheOwnedIpsAndTheDnsServer() {
        var relay = relay("smtp-ips: 127.0.0.2, 127.0.0.3\ndns-server: 127.0.0.1:5353\nserver-id: a\n");

        assertThat(relay.smtpIps()).containsExactly(address("127.0.0.2"), address("127.0.0.3"));
        assertThat(relay.dnsServer()).isEqualTo(Optional.of(new HostAndPort("127.0.0.1", 5353)));
        assertThat(relay.serverId()).isEqualTo("a");
    }

    @Test
    void refusesAnOwnedIpThisHostCannotBind() {
        assertThatThrownBy(() -> relay("smtp-ips: 198.51.100.7\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("smtp-ips: '198.51.100.7' (f line 1) is not valid: expected addresses of this host; "
                        + "198.51.100.7 cannot be bound here");
    }

    @Test
    void refusesAnOutboxThatIsAlsoAResultQueue() {
        assertThatThrownBy(() -> relay("rabbitmq-outbox: results\n"))
                .hasMessageStartingWith("rabbitmq-outbox: 'results' (f line 1) is not valid");
    }

    @Test
    void declaresClassicQueuesUnlessToldQuorum() {
        assertThat(relay("").queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(relay("rabbitmq-queue-type: classic\n").queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(relay("rabbitmq-queue-type: quorum\n").queueType()).isEqualTo(QueueType.QUORUM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Quorum", "stream", "mirrored", "quorum,classic"})
    void refusesAnyOtherQueueTypeNamingTheKeyAndTheAllowedValues(String value) {
        assertThatThrownBy(() -> relay("rabbitmq-queue-type: " + value + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rabbitmq-queue-type: '" + value + "' (f line 1) is not valid: expected one of classic, quorum");
    }

    @Test
    void refusesAPriorityOutboxWithQuorumQueuesNamingBothKeys() {
        assertThatThrownBy(() -> relay("rabbitmq-queue-type: quorum\nrabbitmq-maxpriority: 10\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rabbitmq-maxpriority: '10' (f line 2) is not valid: expected 0 (unset) while rabbitmq-queue-type is "
                        + "quorum: quorum queues have no x-max-priority (RabbitMQ 3 refuses it, RabbitMQ 4 has two fixed levels); "
                        + "keep classic queues for a priority outbox");
        assertThat(relay("rabbitmq-queue-type: quorum\nrabbitmq-maxpriority: 0\n").maxPriority()).isZero();
        assertThat(relay("rabbitmq-queue-type: classic\nrabbitmq-maxpriority: 10\n").maxPriority()).isEqualTo(10);
    }

    @Test
    void makesAServerIdOutOfAnUnusualHostName() {
        assertThat(RelayConfig.defaultServerId("my host!")).isEqualTo("my-host-");
        assertThat(RelayConfig.defaultServerId("--")).isEqualTo("ferry");
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
