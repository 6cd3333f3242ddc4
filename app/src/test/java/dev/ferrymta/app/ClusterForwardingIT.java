package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances as separate processes: a message needing the other's IP is forwarded to it and sent from there. */
class ClusterForwardingIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private List<String> args(String serverId, String ip) throws Exception {
        var args = new ArrayList<>(List.of("--config", "config.sample", "--rabbitmq-address=" + broker.address(),
                "--database-address=" + database.address(), "--www-port=" + FerryProcess.freePort(), "--smtp-ips=" + ip,
                "--cluster-interval=1", "--cluster-peer-expiry=3"));
        args.addAll(FerryProcess.queueArgs(broker, serverId));
        return args;
    }

    private static String value(List<String> args, String prefix) {
        return args.stream().filter(arg -> arg.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
    }

    /**
     * Also: asked by the launcher's properties to keep their class cache only after handling one
     * outbox message, B marks its clean stop after delivering the forwarded message, and A after
     * forwarding it: a forward counts as work, an attempt it is not (docs/adr/0018).
     */
    @Test
    void forwardsToTheOwnerWhenTheIpBelongsToAPeer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0)) {
            var argsA = args("node-a", "127.0.0.2");
            var argsB = args("node-b", "127.0.0.3");
            var markerA = cache.resolve("node-a.clean");
            var markerB = cache.resolve("node-b.clean");
            try (var a = FerryProcess.startWith(List.of("-Xmx256m", "-D" + Main.CLEAN_STOP_PROPERTY + "=" + markerA,
                            "-D" + Main.TRAINING_PROPERTY + "=1"), argsA.toArray(String[]::new));
                    var b = FerryProcess.startWith(List.of("-Xmx256m", "-D" + Main.CLEAN_STOP_PROPERTY + "=" + markerB,
                            "-D" + Main.TRAINING_PROPERTY + "=1"), argsB.toArray(String[]::new))) {
                await().atMost(Duration.ofSeconds(40)).until(() -> a.outputText().contains("ready:") && b.outputText().contains("ready:"));
                await().atMost(Duration.ofSeconds(10)).until(() -> a.outputText().contains("peer node-b joined")
                        && b.outputText().contains("peer node-a joined"));
                routeToSink(sink.port());
                await().atMost(Duration.ofSeconds(10)).until(() -> a.outputText().contains("settings reloaded")
                        && b.outputText().contains("settings reloaded"));

                try (var connection = broker.connection(); var channel = connection.createChannel()) {
                    channel.confirmSelect();
                    var message = Map.of("envelope", "sender@ferry.test", "recipient", "user@fwd.test",
                            "mime", "Subject: forwarded\r\n\r\nhello\r\n", "ips", List.of("127.0.0.3"));
                    channel.basicPublish("", value(argsA, "--rabbitmq-outbox="),
                            new AMQP.BasicProperties.Builder().deliveryMode(2).build(), JSON.writeValueAsBytes(message));
                    channel.waitForConfirmsOrDie(10_000);

                    var received = sink.awaitMessages(1, Duration.ofSeconds(20)).getFirst();
                    assertThat(received.clientAddress().getHostAddress()).isEqualTo("127.0.0.3");
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                            channel.queueDeclarePassive(value(argsB, "--rabbitmq-results=")).getMessageCount() == 1);
                    // Settled on both: every publish confirmed, so the counts below are final.
                    int portA = Integer.parseInt(value(argsA, "--www-port="));
                    int portB = Integer.parseInt(value(argsB, "--www-port="));
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> TestCluster.unsettled(portA) == 0 && TestCluster.unsettled(portB) == 0);
                    assertThat(channel.queueDeclarePassive(value(argsA, "--rabbitmq-results=")).getMessageCount()).isZero();
                    assertThat(channel.queueDeclarePassive(value(argsB, "--rabbitmq-results=")).getMessageCount()).isEqualTo(1);
                    assertThat(sink.messages()).hasSize(1);
                }

                assertThat(listCluster()).anySatisfy(line -> assertThat(line).startsWith("node-a").contains("127.0.0.2"))
                        .anySatisfy(line -> assertThat(line).startsWith("node-b").contains("127.0.0.3"))
                        .anySatisfy(line -> assertThat(line).startsWith("2 live instances"));
                b.terminate();
                assertThat(b.awaitExit(Duration.ofSeconds(20))).isZero();
                assertThat(markerB).content().isEqualTo("stopped cleanly; outbox messages handled: 1\n");
                await().atMost(Duration.ofSeconds(5)).until(() -> a.outputText().contains("peer node-b left"));
                assertThat(listCluster()).noneSatisfy(line -> assertThat(line).startsWith("node-b"))
                        .anySatisfy(line -> assertThat(line).startsWith("1 live instance "));
                a.terminate();
                assertThat(a.awaitExit(Duration.ofSeconds(20))).isZero();
                assertThat(markerA).content().isEqualTo("stopped cleanly; outbox messages handled: 1\n");
            }
        }
    }

    /** {@code ./ferry --list-cluster} as a newcomer runs it: its output lines. */
    private List<String> listCluster() throws Exception {
        try (var lister = FerryProcess.start("--list-cluster", "--config", "config.sample", "--rabbitmq-address=" + broker.address(),
                "--cluster-exchange=" + FerryProcess.clusterExchange(broker), "--cluster-interval=1", "--cluster-peer-expiry=3")) {
            assertThat(lister.awaitExit(Duration.ofSeconds(20))).as(lister.outputText()).isZero();
            return lister.output();
        }
    }

    private static void routeToSink(int port) throws Exception {
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO domain_routes (domain, kind, host, port) VALUES ('fwd.test', 'smarthost', '127.0.0.1', "
                    + port + ")");
            statement.execute("WITH bumped AS (UPDATE config_version SET version = version + 1 RETURNING version) "
                    + "SELECT pg_notify('ferry_settings', version::text) FROM bumped");
            connection.commit();
        }
    }
}
