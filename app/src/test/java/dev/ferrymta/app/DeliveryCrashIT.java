package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The single rule of the relay under a crash: an instance killed with SIGKILL in the middle of
 * 2,000 deliveries and started again loses no message. Every one reaches the sink and has a
 * result; duplicates are allowed, and counted.
 */
class DeliveryCrashIT {

    private static final int MESSAGES = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    @Test
    void losesNoMessageWhenKilledMidwayAndStartedAgain() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0)) {
            var queues = FerryProcess.queueArgs(broker, "crash-it");
            var outbox = value(queues, "--rabbitmq-outbox=");
            var results = value(queues, "--rabbitmq-results=");
            var args = new ArrayList<>(List.of("--config", "config.sample",
                    "--rabbitmq-address=" + broker.address(), "--database-address=" + database.address(),
                    "--www-port=" + FerryProcess.freePort()));
            args.addAll(queues);

            try (var first = FerryProcess.start(args.toArray(String[]::new))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.outputText().contains("ready:"));
                routeToSink(sink.port());
                await().atMost(Duration.ofSeconds(10)).until(() -> first.outputText().contains("settings reloaded"));
                publish(outbox);
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.messages().size() >= MESSAGES / 4);
                first.kill();
                assertThat(first.awaitExit(Duration.ofSeconds(10))).isNotZero();
            }
            int atKill = sink.messages().size();

            try (var second = FerryProcess.start(args.toArray(String[]::new))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> second.outputText().contains("ready:"));
                await().atMost(Duration.ofSeconds(120)).until(() -> recipients(sink.messages()).size() == MESSAGES);
                var resulted = new HashSet<String>();
                try (var connection = broker.connection(); var channel = connection.createChannel()) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        var response = channel.basicGet(results, true);
                        while (response != null) {
                            resulted.add(JSON.readTree(response.getBody()).get("recipient").asText());
                            response = channel.basicGet(results, true);
                        }
                        return resulted.size() == MESSAGES;
                    });
                }
                int duplicates = sink.messages().size() - MESSAGES;
                System.out.printf("crash test: %d of %d at the sink when killed; %d delivered twice after the restart%n",
                        atKill, MESSAGES, duplicates);
                assertThat(atKill).isLessThan(MESSAGES);
                assertThat(duplicates).isGreaterThanOrEqualTo(0).isLessThan(MESSAGES);
                // No EHLO name in the settings: the host name when fully qualified, else the source
                // IP's address literal (RFC 5321 4.1.1.1), whatever this machine is called.
                assertThat(sink.messages()).extracting(m -> m.heloName()).allSatisfy(name -> assertThat(name)
                        .matches("\\[[0-9.]+]|\\[IPv6:[0-9a-fA-F:.]+]|([A-Za-z0-9-]+\\.)+[A-Za-z0-9-]+"));
            }
        }
    }

    private static Set<String> recipients(List<ReceivedMessage> messages) {
        var set = new HashSet<String>();
        messages.forEach(message -> set.addAll(message.recipients()));
        return set;
    }

    private static String value(List<String> args, String prefix) {
        return args.stream().filter(arg -> arg.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
    }

    /** Routes crash.test to the sink, as the console would: one transaction with the version bump and the notification. */
    private static void routeToSink(int port) throws Exception {
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO domain_routes (domain, kind, host, port) VALUES ('crash.test', 'smarthost', '127.0.0.1', "
                    + port + ")");
            statement.execute("WITH bumped AS (UPDATE config_version SET version = version + 1 RETURNING version) "
                    + "SELECT pg_notify('ferry_settings', version::text) FROM bumped");
            connection.commit();
        }
    }

    private void publish(String outbox) throws Exception {
        try (var connection = broker.connection(); var channel = connection.createChannel()) {
            channel.confirmSelect();
            var persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            for (int i = 0; i < MESSAGES; i++) {
                Map<String, Object> message = new HashMap<>();
                message.put("envelope", "sender@ferry.test");
                message.put("recipient", "user" + i + "@crash.test");
                message.put("mime", "Subject: crash test " + i + "\r\n\r\n" + "x".repeat(1_000) + "\r\n");
                channel.basicPublish("", outbox, persistent, JSON.writeValueAsBytes(message));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }
}
