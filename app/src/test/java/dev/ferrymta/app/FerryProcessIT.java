package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.db.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The instance as a process: start, ready line, health, clean stop, exit statuses. */
class FerryProcessIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private String[] args(int consolePort, String... more) {
        var base = new java.util.ArrayList<>(java.util.List.of(
                "--config", "config.sample",
                "--rabbitmq-address=" + broker.address(),
                "--database-address=" + database.address(),
                "--www-port=" + consolePort));
        base.addAll(FerryProcess.queueArgs(broker, "process-it"));
        base.addAll(java.util.List.of(more));
        return base.toArray(String[]::new);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void logsOneReadyLineNamingServerIpsBrokerAndDatabase() throws Exception {
        int port = FerryProcess.freePort();
        try (var ferry = FerryProcess.start(args(port))) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));

            assertThat(ferry.output()).filteredOn(line -> line.contains("ready:")).singleElement().asString()
                    .contains("server process-it owns 127.0.0.2")
                    .contains("RabbitMQ amqp://guest@127.0.0.1:5672/")
                    .contains("PostgreSQL postgresql://ferry@127.0.0.1:5432/" + database.name() + " (settings version ")
                    .containsPattern("settings version \\d+\\)");
            try (var connection = database.connect();
                    var rows = connection.createStatement().executeQuery("SELECT count(*) FROM ferry_schema_history WHERE success")) {
                rows.next();
                assertThat(rows.getInt(1)).as("migrations applied at start").isPositive();
            }
        }
    }

    @Test
    void aMailerqConfigFileStartsAnInstanceWithOneWarningPerKeyFerryDoesNotUse() throws Exception {
        int port = FerryProcess.freePort();
        // As a MailerQ user has it: MailerQ's own keys beside the shared ones, named with --config-file.
        var file = java.nio.file.Files.createTempFile("mailerq-config", ".txt");
        java.nio.file.Files.writeString(file, String.join("\n",
                "# /etc/mailerq/config.txt",
                "license: /etc/mailerq/license.txt",
                "rabbitmq-address: " + broker.address(),
                "rabbitmq-inbox: inbox",
                "smtp-port: 25",
                "storage-address: mongodb://localhost/mailerq",
                "database-address: " + database.address(),
                "www-port: " + port,
                "cluster-timeout: 2",
                // MailerQ's retry defaults, as its sample config has them: 0 is no attempt limit, and a list
                "max-delivertime: 86400",
                "max-attempts: 0",
                "retry-interval: 600,600,1800,1800,3600,3600,7200",
                "smtp-ips: 127.0.0.2", ""));
        var args = new java.util.ArrayList<>(java.util.List.of("--config-file", file.toString()));
        args.addAll(FerryProcess.queueArgs(broker, "mailerq-config-it"));
        try (var ferry = FerryProcess.start(args.toArray(String[]::new))) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));

            assertThat(ferry.output()).filteredOn(line -> line.contains("warning:") && line.contains("MailerQ setting"))
                    .extracting(line -> line.replaceAll(".*warning: (\\S+) .*", "$1"))
                    .containsExactly("license", "rabbitmq-inbox", "smtp-port", "storage-address");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void reportsBothLinksUpOnHealth() throws Exception {
        int port = FerryProcess.freePort();
        try (var ferry = FerryProcess.start(args(port))) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));

            var health = get(port, "/health");

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"up\"", "\"name\":\"rabbitmq\"", "\"name\":\"postgresql\"");
        }
    }

    @Test
    void reportsTheNodeEachBrokerLinkIsOnWhenTheBrokerIsGivenAsSeveral() throws Exception {
        int port = FerryProcess.freePort();
        int closedPort = FerryProcess.freePort();
        // A node that is down, then the real broker: the same user, password and vhost.
        var nodes = broker.address().replaceFirst("@[^/]+/", "@127.0.0.1:" + closedPort + "/") + ", " + broker.address();
        var real = URI.create(broker.address());
        var realNode = java.net.InetAddress.getByName(real.getHost()).getHostAddress() + ":" + (real.getPort() < 0 ? 5672 : real.getPort());
        try (var ferry = FerryProcess.start(args(port, "--rabbitmq-address=" + nodes))) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));

            var health = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(port, "/health").body());

            assertThat(health.get("status").asText()).isEqualTo("up");
            for (var name : java.util.List.of("rabbitmq", "cluster")) {
                var link = java.util.stream.StreamSupport.stream(health.get("links").spliterator(), false)
                        .filter(l -> l.get("name").asText().equals(name)).findFirst().orElseThrow();
                assertThat(link.get("node").asText()).as(name + "'s node").isEqualTo(realNode);
                assertThat(link.get("address").asText()).as(name + "'s address")
                        .contains("@127.0.0.1:" + closedPort + "/, ").doesNotContain(":guest@");
            }
            assertThat(ferry.output()).anyMatch(line -> line.contains("rabbitmq: connected to RabbitMQ node " + realNode + " of "))
                    .anyMatch(line -> line.contains("cluster: connected to RabbitMQ node " + realNode + " of "));
        }
    }

    /**
     * A clean stop, here of a run the launcher asked to train its class cache on one outbox
     * message: it handled none, so it says so and leaves no clean-stop marker, and the launcher
     * keeps no cache from it (docs/adr/0018).
     */
    @Test
    void stopsCleanlyWithExitStatus0OnSigterm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        int port = FerryProcess.freePort();
        var marker = cache.resolve("ferry.clean");
        try (var ferry = FerryProcess.startWith(java.util.List.of("-Xmx256m", "-D" + Main.CLEAN_STOP_PROPERTY + "=" + marker,
                "-D" + Main.TRAINING_PROPERTY + "=1"), args(port))) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));

            ferry.terminate();

            assertThat(ferry.awaitExit(STOP)).isZero();
            assertThat(ferry.outputText()).contains("stopped")
                    .contains("JVM cache: not kept from this run: it handled 0 outbox messages (attempted or forwarded), and a cache is "
                            + "kept from a run that handled at least 1");
            assertThat(marker).doesNotExist();
        }
    }

    @Test
    void keepsRetryingWhileTheBrokerIsUnreachableAndSaysWhere() throws Exception {
        int port = FerryProcess.freePort();
        int closedPort = FerryProcess.freePort();
        try (var ferry = FerryProcess.start(args(port, "--rabbitmq-address=amqp://guest:guest@127.0.0.1:" + closedPort + "/"))) {
            await().atMost(START).until(() -> ferry.output().stream()
                    .filter(line -> line.contains("RabbitMQ at amqp://guest@127.0.0.1:" + closedPort + "/ is not reachable")).count() >= 2);

            assertThat(ferry.isAlive()).isTrue();
            var health = get(port, "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"state\":\"connecting\"");

            ferry.terminate();
            assertThat(ferry.awaitExit(STOP)).isZero();
        }
    }

    @Test
    void keepsRetryingWhileTheDatabaseIsUnreachableAndSaysWhere() throws Exception {
        int port = FerryProcess.freePort();
        int closedPort = FerryProcess.freePort();
        var unreachable = "postgresql://ferry:ferry@127.0.0.1:" + closedPort + "/ferry";
        try (var ferry = FerryProcess.start(args(port, "--database-address=" + unreachable))) {
            await().atMost(START).until(() -> ferry.output().stream()
                    .filter(line -> line.contains("PostgreSQL at postgresql://ferry@127.0.0.1:" + closedPort + "/ferry is not reachable")).count() >= 2);

            assertThat(ferry.isAlive()).isTrue();
            assertThat(ferry.outputText()).doesNotContain("ready:");

            ferry.terminate();
            assertThat(ferry.awaitExit(STOP)).isZero();
        }
    }

    @Test
    void exitsWith2AndOneLineForAConfigurationError() throws Exception {
        try (var ferry = FerryProcess.start("--config", "config.sample", "--cluster-interval=soon")) {
            assertThat(ferry.awaitExit(STOP)).isEqualTo(2);
            assertThat(ferry.output()).containsExactly(
                    "ferry: config: cluster-interval: 'soon' (argument --cluster-interval) is not valid: expected a duration "
                            + "from 100ms to 10m: seconds (30) or a number with a unit (500ms, 30s, 5m, 2h, 1d)");
        }
    }

    @Test
    void exitsWith1NamingAForwardQueueThatExistsAsAnotherTypeThanRabbitmqQueueType() throws Exception {
        var arguments = args(FerryProcess.freePort(), "--rabbitmq-queue-type=quorum");
        var forward = FerryProcess.clusterExchange(broker) + ".process-it.forward";
        var connection = broker.connection();
        try (var channel = connection.createChannel()) {
            // A classic forward queue, as every Ferry before rabbitmq-queue-type declared it.
            channel.queueDeclare(forward, true, false, false, null);
        }
        try (var ferry = FerryProcess.start(arguments)) {
            assertThat(ferry.awaitExit(START)).isEqualTo(1);
            assertThat(ferry.output()).filteredOn(line -> line.contains("fatal:")).singleElement().asString()
                    .contains("fatal: queue '" + forward + "' exists with x-queue-type classic, but Ferry declares it with "
                            + "x-queue-type quorum (rabbitmq-queue-type): RabbitMQ cannot change a queue's type; drain and delete "
                            + "the queue so Ferry declares it again, or set rabbitmq-queue-type to classic (RabbitMQ: "
                            + "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '" + forward + "'");
        }

        // Deleted, as the error says: the next start declares it as a quorum queue.
        try (var channel = connection.createChannel()) {
            channel.queueDelete(forward);
        }
        try (var ferry = FerryProcess.start(arguments)) {
            await().atMost(START).until(() -> ferry.outputText().contains("ready:"));
            try (var channel = connection.createChannel()) {
                channel.queueDeclare(forward, true, false, false, dev.ferrymta.relay.broker.QueueType.QUORUM.durable());
            }
            var classic = connection.createChannel();
            var refusal = org.assertj.core.api.Assertions.catchThrowable(
                    () -> classic.queueDeclare(forward, true, false, false, java.util.Map.of("x-queue-type", "classic")));
            assertThat(dev.ferrymta.relay.broker.QueueArguments.brokerReason(refusal)).startsWith("PRECONDITION_FAILED");
            ferry.terminate();
            assertThat(ferry.awaitExit(STOP)).isZero();
        }
    }

    @Test
    void exitsWith1WhenTheConsolePortIsTaken() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                var ferry = FerryProcess.start(args(taken.getLocalPort()))) {
            assertThat(ferry.awaitExit(STOP)).isEqualTo(1);
            assertThat(ferry.outputText()).contains("console: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
