package dev.ferrymta.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What listening to a receiver is worth: the same messages drained by Ferry into a sink that
 * throttles (at most {@code --max-sessions} sessions at once from the sending IP; a session more is
 * greeted with Comcast's documented {@code 421 ... too many sessions ... RL000001}), once with
 * Ferry's defaults (the shipped response rule {@code comcast-rate-limit} backs the IP off to one
 * connection) and once with plain retries (an operator rule that only classifies every 4xx, so no
 * shipped rule fires). For each: the time from the end of the fill to the last arrival, the SMTP attempts
 * Ferry made (delivered + retried + failed, from its {@code /api/relay}), the sessions the sink
 * refused, and that every message arrived once.
 *
 * <pre>
 * ThrottleBench --repo DIR --out DIR [--messages 10000] [--max-sessions 2] [--connections 20]
 *               [--retry-interval 15] [--runs defaults,plain] [--time-limit 1200]
 * </pre>
 *
 * Everything stays on loopback: the sink on 127.0.0.1:2527, Ferry sending from 127.0.0.2 with its
 * own queues ({@code throttle-*}), database ({@code ferry_throttle}) and console port (8496).
 * Ferry, the sink, the queues and the database are removed at the end.
 */
public final class ThrottleBench {

    private static final String PROGRAM = "ThrottleBench";
    private static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/";
    private static final String DB = "ferry_throttle";
    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String SOURCE_IP = "127.0.0.2";
    private static final int SINK_PORT = 2527;
    private static final int CONSOLE_PORT = 8496;
    private static final List<String> QUEUES = List.of("throttle-outbox", "throttle-results", "throttle-failure");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private record Outcome(String run, int messages, int arrived, int distinct, Duration drain, long attempts, long retried,
            long failed, int refused, int connections, String backOffs) {
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments,
                Set.of("repo", "out", "messages", "max-sessions", "connections", "retry-interval", "runs", "time-limit"));
        var repo = Path.of(args.required("repo"));
        var out = Path.of(args.required("out"));
        int messages = args.number("messages", 10_000, 1, 1_000_000);
        int maxSessions = args.number("max-sessions", 2, 1, 100);
        int connections = args.number("connections", 20, 1, 200);
        int retryInterval = args.number("retry-interval", 15, 1, 3_600);
        var limit = Duration.ofSeconds(args.number("time-limit", 1_200, 60, 7_200));
        var runs = List.of(args.text("runs", "defaults,plain").split(","));
        for (var run : runs) {
            if (!run.equals("defaults") && !run.equals("plain")) {
                throw args.usage("--runs takes defaults and/or plain");
            }
        }
        Files.createDirectories(out);
        var outcomes = new ArrayList<Outcome>();
        boolean allArrived = true;
        for (var run : runs) {
            var outcome = runOnce(run, repo, out, messages, maxSessions, connections, retryInterval, limit);
            outcomes.add(outcome);
            allArrived &= outcome.arrived() == messages && outcome.distinct() == messages;
        }
        System.out.printf("%nThrottleBench: %d messages of 2 KB, sink allows %d sessions at once from %s, Ferry opens up to %d,"
                + " retry-interval %d s%n", messages, maxSessions, SOURCE_IP, connections, retryInterval);
        System.out.println("| run | arrived (distinct) | fill to last arrival | SMTP attempts | retried | failed | sessions refused | sessions | back-offs |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (var o : outcomes) {
            System.out.printf(Locale.ROOT, "| %s | %d (%d) | %.1f s | %d | %d | %d | %d | %d | %s |%n", o.run(), o.arrived(), o.distinct(),
                    o.drain().toMillis() / 1000.0, o.attempts(), o.retried(), o.failed(), o.refused(), o.connections(), o.backOffs());
        }
        return allArrived ? 0 : 1;
    }

    private static Outcome runOnce(String run, Path repo, Path out, int messages, int maxSessions, int connections, int retryInterval,
            Duration limit) throws Exception {
        say(run + ": preparing the database " + DB + " and the queues");
        resetDatabase();
        deleteQueues();
        var config = out.resolve("ferry-" + run + ".conf");
        Files.writeString(config, """
                # Written by ThrottleBench: a bench-only instance.
                server-id: throttle-bench
                rabbitmq-address: %s
                rabbitmq-outbox: throttle-outbox
                rabbitmq-results: throttle-results
                rabbitmq-success:
                rabbitmq-failure: throttle-failure
                rabbitmq-retry:
                rabbitmq-qos: 100
                cluster-exchange: throttle-cluster
                database-address: postgresql://ferry:ferry@127.0.0.1:5432/%s
                database-ttl: 60
                www-ip: 127.0.0.1
                www-port: %d
                smtp-ips: %s
                smtp-defaultips:
                smtp-timeout: 60
                max-delivertime: 1d
                max-attempts: 50
                retry-interval: %d
                """.formatted(AMQP_URI, DB, CONSOLE_PORT, SOURCE_IP, retryInterval));
        var refused = new AtomicInteger();
        var client = InetAddress.getByName(SOURCE_IP);
        var sink = SmtpSink.builder().listen(InetAddress.getByName("127.0.0.1"), SINK_PORT).withoutTls().start();
        Process ferry = null;
        try {
            sink.script().on(SmtpCommand.GREETING).from(client).matching(line -> {
                boolean over = sink.openConnectionsFrom(client) > maxSessions;
                if (over) {
                    refused.incrementAndGet();
                }
                return over;
            }).reply(421, "4.7.0 bench-sink too many sessions from " + SOURCE_IP
                    + ", see http://postmaster.comcast.net/smtp-error-codes.php#RL000001");
            var log = out.resolve("ferry-" + run + ".log");
            var builder = new ProcessBuilder(repo.resolve("ferry").toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_OPTS", "-Xmx512m");
            ferry = builder.start();
            awaitLine(log, "ready:", Duration.ofMinutes(10), ferry);
            say(run + ": Ferry is up; inserting the route, the throttle (" + connections + " connections)"
                    + (run.equals("plain") ? " and an operator rule that keeps every 4xx a plain retry" : ""));
            insertSettings(run, connections);
            awaitLine(log, "settings reloaded: .* -> " + (run.equals("plain") ? 3 : 2), Duration.ofSeconds(30), ferry);
            say(run + ": filling throttle-outbox with " + messages + " messages");
            fill(messages, run);
            long startNanos = System.nanoTime();
            long deadline = startNanos + limit.toNanos();
            int lastCount = -1;
            long lastChange = startNanos;
            while (sink.messages().size() < messages && System.nanoTime() < deadline) {
                Thread.sleep(500);
                int count = sink.messages().size();
                if (count != lastCount) {
                    lastCount = count;
                    lastChange = System.nanoTime();
                }
                if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(300)) {
                    say(run + ": nothing arrived for five minutes; giving up at " + count);
                    break;
                }
            }
            var received = sink.messages();
            var counts = relayCounts();
            long delivered = counts.path("delivered").asLong();
            long retried = counts.path("retried").asLong();
            long failed = counts.path("failed").asLong();
            var backOffs = new ArrayList<String>();
            for (var row : settings("back-offs").path("back-offs")) {
                backOffs.add(row.path("maxConnections").asText("-") + " connection(s), " + row.path("messagesPerMinute").asText("-")
                        + "/min: " + row.path("reason").asText().replaceAll(" after: .*", ""));
            }
            long distinct = received.stream().map(m -> m.recipients().getFirst()).distinct().count();
            // The sink keeps no arrival times: the wait loop's end stands for the last arrival, within half a second.
            var drain = Duration.ofNanos(System.nanoTime() - startNanos);
            say(run + ": " + received.size() + " arrived (" + distinct + " distinct), " + refused.get() + " sessions refused");
            return new Outcome(run, messages, received.size(), (int) distinct, drain, delivered + retried + failed, retried, failed,
                    refused.get(), sink.connectionsAccepted(), backOffs.isEmpty() ? "none" : String.join("; ", backOffs));
        } finally {
            if (ferry != null) {
                ferry.destroy();
                if (!ferry.waitFor(30, TimeUnit.SECONDS)) {
                    ferry.destroyForcibly();
                }
            }
            sink.close();
            deleteQueues();
            dropDatabase();
        }
    }

    private static void insertSettings(String run, int connections) throws SQLException {
        try (var connection = DriverManager.getConnection(JDBC + DB, "ferry", "ferry")) {
            write(connection, "INSERT INTO domain_routes (domain, kind, host, port) VALUES ('bench.test', 'smarthost', '127.0.0.1', "
                    + SINK_PORT + ")");
            write(connection, "INSERT INTO throttles (domain, max_connections, messages_per_connection) VALUES ('bench.test', "
                    + connections + ", 1000)");
            if (run.equals("plain")) {
                write(connection, "INSERT INTO response_rules (name, code, action, category, note) VALUES ('plain-retries', '4', "
                        + "'classify', 'rate-limit', 'ThrottleBench: every 4xx is a plain retry, no shipped rule fires')");
            }
        }
    }

    /** One change in a transaction that bumps the version and notifies, as README.md's "Shared settings" says. */
    private static void write(Connection connection, String sql) throws SQLException {
        connection.setAutoCommit(false);
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
            statement.execute("WITH bumped AS (UPDATE config_version SET version = version + 1 RETURNING version)"
                    + " SELECT pg_notify('ferry_settings', version::text) FROM bumped");
        }
        connection.commit();
    }

    private static void fill(int messages, String run) throws Exception {
        var message = new BenchMessage(BenchMessage.DEFAULT_BYTES, "throttle-" + run);
        try (var connection = Amqp.factory(AMQP_URI).newConnection("ferry ThrottleBench"); var channel = connection.createChannel()) {
            channel.confirmSelect();
            var properties = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();
            for (int i = 0; i < messages; i++) {
                var json = JSON.createObjectNode();
                json.put("envelope", BenchMessage.SENDER);
                json.put("recipient", BenchMessage.recipient(i));
                json.put("mime", message.mime(i));
                channel.basicPublish("", "throttle-outbox", properties, JSON.writeValueAsBytes(json));
                if ((i + 1) % 500 == 0) {
                    channel.waitForConfirmsOrDie(60_000);
                }
            }
            channel.waitForConfirmsOrDie(60_000);
        }
    }

    private static JsonNode relayCounts() throws IOException, InterruptedException {
        return get("/api/relay").path("counts");
    }

    private static JsonNode settings(String kind) throws IOException, InterruptedException {
        return get("/api/settings/" + kind);
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + CONSOLE_PORT + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static void awaitLine(Path log, String pattern, Duration within, Process process) throws Exception {
        var regex = java.util.regex.Pattern.compile(pattern);
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && regex.matcher(Files.readString(log, StandardCharsets.UTF_8)).find()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Ferry exited (" + process.exitValue() + ") before '" + pattern + "'; see " + log);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no '" + pattern + "' in " + log + " within " + within);
    }

    private static void resetDatabase() throws SQLException {
        dropDatabase();
        try (var connection = DriverManager.getConnection(JDBC + "postgres", "ferry", "ferry"); var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DB);
        }
    }

    private static void dropDatabase() throws SQLException {
        try (var connection = DriverManager.getConnection(JDBC + "postgres", "ferry", "ferry"); var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static void deleteQueues() throws Exception {
        try (var connection = Amqp.factory(AMQP_URI).newConnection("ferry ThrottleBench cleanup")) {
            var all = new ArrayList<String>(QUEUES);
            for (var tier : List.of(1, 5, 15, 60, 300, 900, 3600, 14400)) {
                all.add("throttle-outbox.delay." + tier);
            }
            all.add("throttle-outbox.parked");
            for (var queue : all) {
                try (var channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                }
            }
        }
    }

    private static void say(String text) {
        System.out.printf("%s ThrottleBench: %s%n", Instant.now().toString().substring(11, 19), text);
    }
}
