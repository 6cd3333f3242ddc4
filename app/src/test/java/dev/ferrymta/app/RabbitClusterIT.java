package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.testing.TestNames;
import dev.ferrymta.testing.broker.TestRabbitCluster;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ferry on the three-node RabbitMQ cluster of {@code dev/rabbitmq-cluster}, with every address in
 * {@code rabbitmq-address} and quorum queues: a node going away while mail flows loses nothing.
 * Duplicates (a message delivered twice because its ack was lost with the node) are counted and
 * reported, not failed: at-least-once is what a broker outage allows.
 */
class RabbitClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestRabbitCluster rabbit = new TestRabbitCluster();

    private final String run = "rc-" + TestNames.randomId();
    private final List<FerryProcess> processes = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();

    /**
     * 2,000 messages through one instance; once some have gone out, the node its relay link is on
     * stops, and starts again later. The instance moves to another node by itself and every
     * message reaches the sink.
     */
    @Test
    void deliversEveryMessageWhileItsNodeStopsAndStartsAgain() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0)) {
            var a = start("a", "127.0.0.2");
            route(a, sink, "cluster-one.test");
            publish(outbox("a"), IntStream.range(0, 2_000).mapToObj(i -> message("m" + i + "@cluster-one.test", "127.0.0.2")).toList());

            await().atMost(Duration.ofSeconds(60)).until(() -> sink.messages().size() >= 300);
            var before = node(a, "rabbitmq");
            var stopped = rabbit.node(before);
            long stoppedAt = System.nanoTime();
            rabbit.stopApp(stopped);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> nodeOrEmpty(a, "rabbitmq").filter(now -> !now.equals(before)).isPresent());
            System.out.printf("relay link moved from %s to %s %d ms after the stop; %d messages at the sink then%n", before,
                    node(a, "rabbitmq"), (System.nanoTime() - stoppedAt) / 1_000_000, sink.messages().size());
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.messages().size() >= 1_500);
            rabbit.startApp(stopped);

            var received = awaitDistinct(sink, 2_000, Duration.ofSeconds(180));
            System.out.printf("2000 messages, %d deliveries at the sink: %d duplicates%n", received, received - 2_000);
        }
    }

    /**
     * 5,000 messages for node b's IP published to node a's outbox: a forwards them to b's quorum
     * forward queue. While they flow, the node holding the forward queue's leader stops (and starts
     * again later). None is lost.
     */
    @Test
    void losesNoForwardWhenTheForwardQueueLeadersNodeStops() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0)) {
            var a = start("a", "127.0.0.2");
            var b = start("b", "127.0.0.3");
            awaitJoined(a, b);
            route(a, sink, "cluster-two.test");
            await().atMost(Duration.ofSeconds(10)).until(() -> configVersion(b) >= configVersion(a));
            // Asked before the flow starts: rabbitmqctl takes a second or two per node.
            var leader = leaderOf(forwardQueue("b"));
            publish(outbox("a"), IntStream.range(0, 5_000).mapToObj(i -> message("f" + i + "@cluster-two.test", "127.0.0.3")).toList());

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> sink.messages().size() >= 300);
            long stoppedAt = System.nanoTime();
            rabbit.stopApp(leader);
            System.out.printf("stopped %s, leader of %s, with %d messages at the sink%n", leader.name(), forwardQueue("b"),
                    sink.messages().size());
            await().atMost(Duration.ofSeconds(90)).until(() -> sink.messages().size() >= 2_500);
            System.out.printf("2500 at the sink %d ms after the stop; new leader %s%n", (System.nanoTime() - stoppedAt) / 1_000_000,
                    leaderOf(forwardQueue("b")).name());
            rabbit.startApp(leader);

            var received = awaitDistinct(sink, 5_000, Duration.ofSeconds(240));
            assertThat(sink.messages()).allSatisfy(m -> assertThat(m.clientAddress().getHostAddress()).isEqualTo("127.0.0.3"));
            System.out.printf("5000 forwarded messages, %d deliveries at the sink: %d duplicates%n", received, received - 5_000);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        processes.forEach(FerryProcess::close);
        try (var connection = connect(); var channel = connection.createChannel()) {
            for (var queue : queues) {
                channel.queueDelete(queue);
            }
            channel.exchangeDelete(run + "-cluster");
        }
    }

    private FerryProcess start(String id, String ip) throws Exception {
        var server = run + "-" + id;
        var outbox = outbox(id);
        queues.add(outbox);
        new DelayTiers(outbox).tiers().forEach(tier -> queues.add(new DelayTiers(outbox).queue(tier)));
        queues.addAll(List.of(outbox + ".parked", server + ".results", server + ".failure", forwardQueue(id)));
        var process = FerryProcess.start("--config", "config.sample", "--server-id=" + server, "--smtp-ips=" + ip,
                "--rabbitmq-address=" + rabbit.address(), "--cluster-address=" + rabbit.address(),
                "--rabbitmq-queue-type=quorum", "--database-address=" + database.address(),
                "--rabbitmq-outbox=" + outbox, "--rabbitmq-results=" + server + ".results",
                "--rabbitmq-failure=" + server + ".failure", "--cluster-exchange=" + run + "-cluster",
                "--www-port=" + FerryProcess.freePort(), "--cluster-interval=1", "--cluster-peer-expiry=5",
                "--cluster-secret=" + TestCluster.SECRET, "--database-ttl=600", "--retry-interval=1");
        processes.add(process);
        await().atMost(Duration.ofSeconds(90)).until(() -> process.outputText().contains("ready:") || !process.isAlive());
        assertThat(process.isAlive()).as(process.outputText()).isTrue();
        return process;
    }

    private String outbox(String id) {
        return run + "-" + id + ".outbox";
    }

    private String forwardQueue(String id) {
        return run + "-cluster." + run + "-" + id + ".forward";
    }

    private static void awaitJoined(FerryProcess a, FerryProcess b) {
        await().atMost(Duration.ofSeconds(20)).until(() -> a.outputText().contains("-b joined") && b.outputText().contains("-a joined"));
    }

    /** The node a link of the instance is on now, from its {@code /health}. */
    private static String node(FerryProcess process, String link) throws Exception {
        return nodeOrEmpty(process, link).orElseThrow(() -> new AssertionError("no node for link " + link));
    }

    private static java.util.Optional<String> nodeOrEmpty(FerryProcess process, String link) {
        try {
            for (var entry : health(process).get("links")) {
                if (entry.get("name").asText().equals(link) && entry.hasNonNull("node")) {
                    return java.util.Optional.of(entry.get("node").asText());
                }
            }
        } catch (Exception e) {
            // Not answering right now: no node known.
        }
        return java.util.Optional.empty();
    }

    private static JsonNode health(FerryProcess process) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(consoleUrl(process) + "health")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static long configVersion(FerryProcess process) throws Exception {
        return health(process).get("configVersion").asLong();
    }

    /** The console URL the instance printed in its {@code ready:} line. */
    private static String consoleUrl(FerryProcess process) {
        var text = process.outputText();
        int at = text.indexOf("console http://", text.indexOf("ready:"));
        var url = text.substring(at + "console ".length()).lines().findFirst().orElseThrow().strip();
        return url.endsWith("/") ? url : url + "/";
    }

    /** A smarthost route for the domain to the sink, written through the instance's console. */
    private static void route(FerryProcess process, SmtpSink sink, String domain) throws Exception {
        var cookies = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        var session = cookies.send(HttpRequest.newBuilder(URI.create(consoleUrl(process) + "api/session")).build(),
                HttpResponse.BodyHandlers.ofString());
        var csrf = JSON.readTree(session.body()).get("csrfToken").asText();
        var response = cookies.send(HttpRequest.newBuilder(URI.create(consoleUrl(process) + "api/settings/routes"))
                .header("Content-Type", "application/json").header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("domain", domain, "kind", "smarthost",
                        "host", "127.0.0.1", "port", sink.port())))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        long version = JSON.readTree(response.body()).get("configVersion").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> configVersion(process) >= version);
    }

    private static Map<String, Object> message(String recipient, String ip) {
        var message = new HashMap<>(TestCluster.message(recipient, recipient, ip));
        message.put("retries", List.of(1, 5));
        return message;
    }

    private Connection connect() throws Exception {
        var factory = new ConnectionFactory();
        return factory.newConnection(rabbit.nodes().stream().map(node -> new Address("127.0.0.1", node.port())).toList(),
                "ferry test " + run);
    }

    private void publish(String queue, List<Map<String, Object>> messages) throws Exception {
        try (var connection = connect(); var channel = connection.createChannel()) {
            channel.confirmSelect();
            int sent = 0;
            for (var message : messages) {
                channel.basicPublish("", queue, true, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                        JSON.writeValueAsBytes(message));
                if (++sent % 500 == 0) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    /** The node holding the quorum queue's leader, as {@code rabbitmqctl list_queues name leader} says. */
    private TestRabbitCluster.Node leaderOf(String queue) throws Exception {
        var running = rabbit.nodes().getFirst();
        for (var node : rabbit.nodes()) {
            try {
                var listing = rabbit.rabbitmqctl(node, "list_queues", "name", "leader", "--no-table-headers");
                for (var line : listing.lines().toList()) {
                    var fields = line.strip().split("\\s+");
                    if (fields.length == 2 && fields[0].equals(queue)) {
                        return rabbit.nodes().stream().filter(n -> n.name().equals(fields[1])).findFirst().orElseThrow();
                    }
                }
                running = node;
            } catch (IOException stopped) {
                // That node is not running; ask another.
            }
        }
        throw new AssertionError("no leader listed for " + queue + " by " + running.name());
    }

    /** Waits until every one of {@code count} recipients arrived; returns the deliveries, duplicates included. */
    private static int awaitDistinct(SmtpSink sink, int count, Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(500)).until(() -> distinct(sink.messages()) >= count);
        var messages = sink.messages();
        assertThat(distinct(messages)).isEqualTo(count);
        return messages.size();
    }

    private static long distinct(List<ReceivedMessage> messages) {
        return messages.stream().flatMap(m -> m.recipients().stream()).distinct().count();
    }
}
