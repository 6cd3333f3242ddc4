package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ferry instances as separate processes, forming one cluster in a virtual host of the test's own
 * and sharing one database: each owns one source IP, has its own queues and console, and is
 * started with {@code config.sample} and command-line overrides, as an operator would run it.
 */
final class TestCluster implements AutoCloseable {

    static final String SECRET = "a-cluster-secret-for-the-tests";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .cookieHandler(new java.net.CookieManager()).build();

    /** One running instance. */
    record Instance(String serverId, String ip, int consolePort, TestVirtualHost broker, FerryProcess process) {

        String outbox() {
            return serverId + ".outbox";
        }

        String results() {
            return serverId + ".results";
        }

        /** One of this instance's queues by its suffix, e.g. {@code failure}: {@code <server-id>.failure}. */
        String instance(String suffix) {
            return serverId + "." + suffix;
        }

        /** The settings version the instance has in force, from its {@code /health}. */
        long configVersion() throws IOException, InterruptedException {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).get("configVersion").asLong();
        }

        /** {@code GET PATH} on this instance's console, as JSON (any status). */
        JsonNode get(String path) throws IOException, InterruptedException {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }

        /** Outbox and forwarded messages taken and not yet settled, from {@code /api/relay}. */
        long unsettled() throws IOException, InterruptedException {
            return TestCluster.unsettled(consolePort);
        }

        /** A counter from {@code /metrics}: the sample line starting with {@code series}, e.g. {@code ferry_cluster_rejected_total{source="forward"}}. */
        double metric(String series) throws IOException, InterruptedException {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line ->
                    Double.parseDouble(line.substring(series.length() + 1).strip())).findFirst().orElse(0);
        }

        /** {@code GET /api/settings/KIND} on this instance's console: the rows it has in force. */
        JsonNode settings(String kind) throws IOException, InterruptedException {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/api/settings/" + kind))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }

        /** {@code POST /api/settings/KIND} on this instance's console; the answer, which must be 201. */
        JsonNode create(String kind, Map<String, Object> row) throws IOException, InterruptedException {
            // The console's session (no password in the tests) and the CSRF token every write needs.
            var session = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/api/session")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var csrf = JSON.readTree(session.body()).get("csrfToken").asText();
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/api/settings/" + kind))
                    .header("Content-Type", "application/json").header("X-CSRF-Token", csrf).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(row))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            return JSON.readTree(response.body());
        }
    }

    /** Messages the instance with this console has taken and not yet settled, from {@code /api/relay}. */
    static long unsettled(int consolePort) throws IOException, InterruptedException {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consolePort + "/api/relay"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("unsettled").asLong();
    }

    private final TestVirtualHost vhost;
    private final TestDatabase database;
    private final List<Instance> instances = new ArrayList<>();

    TestCluster(TestVirtualHost vhost, TestDatabase database) {
        this.vhost = vhost;
        this.database = database;
    }

    /** The arguments an instance runs with; {@code extra} overrides or adds. */
    List<String> arguments(String serverId, String ip, int consolePort, TestVirtualHost broker, String... extra) {
        var args = new ArrayList<>(List.of("--config", "config.sample", "--server-id=" + serverId, "--smtp-ips=" + ip,
                "--rabbitmq-address=" + broker.address(), "--cluster-address=" + vhost.address(),
                "--database-address=" + database.address(),
                "--rabbitmq-outbox=" + serverId + ".outbox", "--rabbitmq-results=" + serverId + ".results",
                "--rabbitmq-failure=" + serverId + ".failure", "--www-port=" + consolePort,
                "--cluster-interval=" + INTERVAL.toSeconds(), "--cluster-peer-expiry=" + TIMEOUT.toSeconds(),
                "--cluster-secret=" + SECRET, "--database-ttl=600"));
        args.addAll(List.of(extra));
        return args;
    }

    /**
     * Starts one instance per (server id, IP) pair side by side, all on the cluster's virtual
     * host, and waits until all know each other.
     */
    List<Instance> start(List<String> serverIds, List<String> ips, String... extra) throws IOException {
        return start(serverIds, ips, serverIds.stream().map(id -> vhost).toList(), extra);
    }

    /**
     * Starts one instance per (server id, IP, broker) side by side, each with its outbox and
     * results on its own broker and the cluster on the shared one, and waits until all know each other.
     */
    List<Instance> start(List<String> serverIds, List<String> ips, List<TestVirtualHost> brokers, String... extra) throws IOException {
        for (int i = 0; i < serverIds.size(); i++) {
            int port = FerryProcess.freePort();
            var process = FerryProcess.start(arguments(serverIds.get(i), ips.get(i), port, brokers.get(i), extra).toArray(String[]::new));
            instances.add(new Instance(serverIds.get(i), ips.get(i), port, brokers.get(i), process));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> instances.stream().allMatch(i -> i.process().outputText().contains("ready:")));
        await().atMost(Duration.ofSeconds(15)).until(() -> instances.stream().allMatch(instance -> instances.stream()
                .filter(other -> other != instance)
                .allMatch(other -> instance.process().outputText().contains("peer " + other.serverId() + " joined"))));
        return List.copyOf(instances);
    }

    /** Publishes MailerQ messages to an instance's outbox, persistent, confirmed. */
    void publish(Instance to, List<Map<String, Object>> messages) throws Exception {
        try (var connection = to.broker().factory().newConnection("ferry test publisher"); var channel = connection.createChannel()) {
            channel.confirmSelect();
            int sent = 0;
            for (var message : messages) {
                channel.basicPublish("", to.outbox(), new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                        JSON.writeValueAsBytes(message));
                if (++sent % 500 == 0) {
                    channel.waitForConfirmsOrDie(30_000);
                }
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    /** A message for the outbox: recipient, subject, the source IPs it must go from. */
    static Map<String, Object> message(String recipient, String subject, String... ips) {
        return Map.of("envelope", "sender@ferry.test", "recipient", recipient,
                "mime", "Subject: " + subject + "\r\n\r\nhello\r\n", "ips", List.of(ips));
    }

    /** Messages in a queue of the instance's broker now. */
    static long depth(Instance instance, String queue) throws Exception {
        try (var connection = instance.broker().factory().newConnection("ferry test depth"); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** {@code ./ferry --list-cluster} for this cluster, as an operator runs it: its output lines. */
    List<String> listCluster() throws Exception {
        try (var lister = FerryProcess.start("--list-cluster", "--config", "config.sample", "--rabbitmq-address=" + vhost.address(),
                "--cluster-interval=" + INTERVAL.toSeconds(), "--cluster-peer-expiry=" + TIMEOUT.toSeconds(),
                "--cluster-secret=" + SECRET)) {
            assertThat(lister.awaitExit(Duration.ofSeconds(20))).as(lister.outputText()).isZero();
            return lister.output();
        }
    }

    @Override
    public void close() {
        instances.forEach(instance -> instance.process().close());
    }
}
