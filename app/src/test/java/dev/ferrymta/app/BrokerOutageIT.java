package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import dev.ferrymta.db.SchemaMigrator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole instances, as processes, while an operator's broker misbehaves (README, "When something
 * is wrong"): queues deleted under a running instance, a policy that makes a queue refuse
 * publishes, ten large messages at once. Each test counts the deliveries at the SMTP sink and
 * watches {@code /health} the whole time.
 */
class BrokerOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(40);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<FerryProcess> processes = new ArrayList<>();
    private SmtpSink sink;
    private Channel channel;

    /** The schema in place before the first instance starts, so routes can be written first. */
    @BeforeAll
    static void migrate() {
        var source = new PGSimpleDataSource();
        source.setUrl(database.jdbcUrl());
        source.setUser(database.user());
        source.setPassword(database.password());
        SchemaMigrator.migrate(source);
    }

    @BeforeEach
    void start() throws Exception {
        sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0);
        channel = vhost.connection("ferry outage test").createChannel();
        channel.confirmSelect();
    }

    @AfterEach
    void stop() {
        processes.forEach(FerryProcess::close);
        sink.close();
    }

    /** An instance on the test's virtual host, with mail for {@code domain} routed to the sink. */
    private Instance instance(String serverId, String ip, String domain, List<String> jvm, String... extra) throws Exception {
        route(domain);
        int port = FerryProcess.freePort();
        var args = new ArrayList<>(List.of("--config", "config.sample", "--server-id=" + serverId, "--smtp-ips=" + ip,
                "--rabbitmq-address=" + vhost.address(), "--database-address=" + database.address(), "--www-port=" + port,
                "--rabbitmq-outbox=" + serverId + ".outbox", "--rabbitmq-results=" + serverId + ".results",
                "--rabbitmq-success=" + serverId + ".success", "--rabbitmq-failure=" + serverId + ".failure",
                "--rabbitmq-retry=" + serverId + ".retry", "--cluster-interval=1", "--cluster-peer-expiry=3"));
        args.addAll(List.of(extra));
        var process = FerryProcess.startWith(jvm, args.toArray(String[]::new));
        processes.add(process);
        await().atMost(START).until(() -> process.outputText().contains("ready:") || !process.isAlive());
        assertThat(process.isAlive()).as(process.outputText()).isTrue();
        return new Instance(serverId, port, process);
    }

    private Instance instance(String serverId, String ip, String domain, String... extra) throws Exception {
        return instance(serverId, ip, domain, List.of("-Xmx256m"), extra);
    }

    private record Instance(String serverId, int port, FerryProcess process) {
        String queue(String kind) {
            return serverId + "." + kind;
        }
    }

    private void route(String domain) throws Exception {
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO domain_routes (domain, kind, host, port) VALUES ('" + domain + "', 'smarthost', '127.0.0.1', "
                    + sink.port() + ")");
            statement.execute("WITH bumped AS (UPDATE config_version SET version = version + 1 RETURNING version) "
                    + "SELECT pg_notify('ferry_settings', version::text) FROM bumped");
            connection.commit();
        }
    }

    private void publish(String queue, Map<String, Object> message) throws Exception {
        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), JSON.writeValueAsBytes(message));
        channel.waitForConfirmsOrDie(30_000);
    }

    private static Map<String, Object> message(String recipient, String... ips) {
        return Map.of("envelope", "sender@ferry.test", "recipient", recipient, "mime", "Subject: outage\r\n\r\nhello\r\n",
                "ips", List.of(ips), "retries", List.of(1));
    }

    private long depth(String queue) throws Exception {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    private JsonNode get(int port, String path, List<Integer> statuses) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        statuses.add(response.statusCode());
        return JSON.readTree(response.body());
    }

    /** Polls {@code /health} every 20 ms until closed, keeping every answer. */
    private final class HealthWatch implements AutoCloseable {
        final List<Integer> statuses = new CopyOnWriteArrayList<>();
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread poller;

        HealthWatch(int port) {
            poller = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        bodies.add(get(port, "/health", statuses));
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        statuses.add(-1);
                    }
                }
            });
        }

        /** The links that were down in some answer, by name. */
        List<String> downLinks() {
            return bodies.stream().flatMap(body -> java.util.stream.StreamSupport.stream(body.get("links").spliterator(), false))
                    .filter(link -> !link.get("state").asText().equals("up")).map(link -> link.get("name").asText()).distinct().toList();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            poller.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void anOutboxDeletedWhileRunningShowsOnHealthAndTheNextMessageIsDeliveredWithinSeconds() throws Exception {
        var a = instance("outage-a", "127.0.0.2", "outbox.test");
        try (var health = new HealthWatch(a.port())) {
            await().atMost(WAIT).until(() -> health.statuses.contains(200));
            channel.queueDelete(a.queue("outbox"));

            await().atMost(WAIT).until(() -> health.statuses.contains(503));
            await().atMost(WAIT).until(() -> health.statuses.getLast() == 200);
            assertThat(health.downLinks()).contains("outbox consumer");
        }
        publish(a.queue("outbox"), message("after@outbox.test", "127.0.0.2"));
        assertThat(sink.awaitMessages(1, Duration.ofSeconds(10))).hasSize(1);
        a.process().awaitOutput("outbox consumer: consumer 1 lost: the broker cancelled the consumer",
                "consuming '" + a.queue("outbox") + "' again");
        assertThat(a.process().outputText()).doesNotContain("ERROR");
    }

    @Test
    void everyConnectionClosedByForceComesBackWithoutAnErrorAndWithEveryQueue() throws Exception {
        var a = instance("closed", "127.0.0.2", "closed.test");
        publish(a.queue("outbox"), message("before@closed.test", "127.0.0.2"));
        assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
        try (var health = new HealthWatch(a.port())) {
            await().atMost(WAIT).until(() -> health.statuses.contains(200));

            vhost.closeAllConnections("test: an operator closes every connection");

            await().atMost(WAIT).until(() -> health.statuses.contains(503));
            await().atMost(WAIT).until(() -> health.statuses.getLast() == 200);
        }
        channel = vhost.connection("ferry outage test, again").createChannel();
        channel.confirmSelect();
        for (var queue : List.of(a.queue("outbox"), a.queue("outbox") + ".delay.1", a.queue("outbox") + ".parked", a.queue("results"),
                "cluster.closed.forward")) {
            channel.queueDeclarePassive(queue);
        }
        publish(a.queue("outbox"), message("after@closed.test", "127.0.0.2"));
        assertThat(sink.awaitMessages(2, WAIT)).extracting(m -> m.recipients().getFirst())
                .containsExactly("before@closed.test", "after@closed.test");
        assertThat(a.process().awaitOutput("reconnected to RabbitMQ")).doesNotContain("ERROR");
    }

    @Test
    void theForwardQueueDeletedWhileRunningShowsOnHealthAndComesBack() throws Exception {
        var a = instance("outage-f", "127.0.0.2", "forward.test");
        var forwardQueue = "cluster.outage-f.forward";
        try (var health = new HealthWatch(a.port())) {
            await().atMost(WAIT).until(() -> health.statuses.contains(200));
            channel.queueDelete(forwardQueue);

            await().atMost(WAIT).until(() -> health.statuses.contains(503));
            await().atMost(WAIT).until(() -> health.statuses.getLast() == 200);
            assertThat(health.downLinks()).contains("forward queue consumer");
        }
        channel.queueDeclarePassive(forwardQueue);
        a.process().awaitOutput("forward queue consumer: consumer 1 lost", "consuming '" + forwardQueue + "' again");
    }

    @Test
    void aResultsQueueUnderARejectPublishPolicyGetsTheResultLaterAndTheMessageIsSentOnce() throws Exception {
        var a = instance("outage-r", "127.0.0.2", "results.test");
        vhost.setPolicy("full-results", "^outage-r\\.results$", "{\"max-length\":1,\"overflow\":\"reject-publish\"}");
        publish(a.queue("results"), Map.of("filler", true));
        publish(a.queue("outbox"), message("once@results.test", "127.0.0.2"));

        assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
        var statuses = new ArrayList<Integer>();
        await().atMost(WAIT).until(() -> get(a.port(), "/api/status", statuses).get("refusing").size() == 1);
        var refusing = get(a.port(), "/api/status", statuses).get("refusing").get(0);
        assertThat(refusing.get("queue").asText()).isEqualTo(a.queue("results"));
        assertThat(refusing.get("reason").asText()).startsWith("nacked");
        a.process().awaitOutput("the broker refuses publishes to queue '" + a.queue("results") + "'");

        channel.queuePurge(a.queue("results"));
        await().atMost(WAIT).until(() -> depth(a.queue("results")) == 1);
        await().atMost(WAIT).until(() -> get(a.port(), "/api/status", statuses).get("refusing").isEmpty());
        assertThat(sink.messages()).hasSize(1);
        assertThat(depth(a.queue("outbox"))).isZero();
        assertThat(depth(a.queue("success"))).isEqualTo(1);
    }

    @Test
    void aPeersForwardQueueThatRejectsGivesARetryResultAndTheMessageIsSentOnceWhenItAccepts() throws Exception {
        var a = instance("peer-a", "127.0.0.2", "peer.test");
        var b = instance("peer-b", "127.0.0.3", "peer-b.test");
        await().atMost(WAIT).until(() -> a.process().outputText().contains("peer peer-b joined"));
        vhost.setPolicy("full-forwards", "^cluster\\.peer-b\\.forward$", "{\"max-length\":0,\"overflow\":\"reject-publish\"}");

        publish(a.queue("outbox"), message("fwd@peer.test", "127.0.0.3"));

        var statuses = new ArrayList<Integer>();
        // A retry result goes to the retry queue (as in MailerQ), not to results.
        await().atMost(WAIT).until(() -> depth(a.queue("retry")) >= 1);
        var retry = channel.basicGet(a.queue("retry"), true);
        var entry = JSON.readTree(retry.getBody()).get("results").get(0);
        assertThat(entry.get("state").asText()).isEqualTo("process");
        assertThat(entry.get("description").asText()).contains("forwarding to the owner of 127.0.0.3 failed: nacked");
        assertThat(sink.messages()).isEmpty();

        vhost.clearPolicy("full-forwards");
        var received = sink.awaitMessages(1, WAIT).getFirst();
        assertThat(received.clientAddress().getHostAddress()).isEqualTo("127.0.0.3");
        await().atMost(WAIT).until(() -> depth(b.queue("success")) == 1);
        assertThat(sink.messages()).hasSize(1);
        assertThat(get(a.port(), "/health", statuses).get("status").asText()).isEqualTo("up");
    }

    @Test
    void tenTwentyMegabyteMessagesAtOnceAreDeliveredWithTheLaunchersDefaultHeap() throws Exception {
        // The launcher's default JAVA_OPTS is -Xmx512m: a 64 MB intake budget. rabbitmq-qos 100 would let the broker
        // send all ten at once; the prefetch that follows the sizes keeps it to one per consumer (ADR 0017).
        var body = "x".repeat(998) + "\r\n";
        var mime = "Subject: large\r\n\r\n" + body.repeat(20 * 1024 * 1024 / body.length());
        route("large.test");
        channel.queueDeclare("large.outbox", true, false, false, null);
        for (int i = 0; i < 10; i++) {
            publish("large.outbox", Map.of("envelope", "sender@ferry.test", "recipient", "big" + i + "@large.test", "mime", mime,
                    "ips", List.of("127.0.0.2")));
        }
        var a = instance("large", "127.0.0.2", "unused-large.test", List.of("-Xmx512m"), "--rabbitmq-qos=100");

        await().atMost(Duration.ofSeconds(120)).until(() -> sink.messages().size() == 10 || !a.process().isAlive());
        assertThat(a.process().isAlive()).as(a.process().outputText()).isTrue();
        assertThat(sink.messages()).hasSize(10).allSatisfy(m -> assertThat(m.data().length).isGreaterThan(20_000_000));
        await().atMost(WAIT).until(() -> depth(a.queue("success")) == 10);
        assertThat(a.process().outputText()).doesNotContain("OutOfMemoryError");
        assertThat(depth(a.queue("outbox"))).isZero();
        assertThat(get(a.port(), "/api/relay", new CopyOnWriteArrayList<>()).get("prefetch").asInt())
                .as("two consumers, one 20 MB message each").isEqualTo(2);
    }
}
