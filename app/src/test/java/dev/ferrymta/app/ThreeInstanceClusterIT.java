package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.ferrymta.cluster.Forwarder;
import dev.ferrymta.cluster.MessageSigner;
import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.ReceivedMessage;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three instances as separate processes, owning 127.0.0.2, 127.0.0.3 and 127.0.0.4, in a cluster
 * with a secret, on the real broker (a virtual host of the test's own) and database.
 */
class ThreeInstanceClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEQUENCE = Pattern.compile("Subject: \\w+ (\\d+)");

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    @Test
    void membershipForwardingSettingsAndForgeries() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b", "node-c"), List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
            var a = instances.get(0);
            var b = instances.get(1);
            var c = instances.get(2);

            // The first write after the start pays the JVMs' warm-up (class loading, the first
            // JDBC and HTTP calls; about half a second here); it is not timed.
            long route = a.create("routes", Map.of("domain", "fwd.test", "kind", "smarthost", "host", "127.0.0.1",
                    "port", sink.port())).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> instances.stream().allMatch(i -> version(i) >= route));

            // A settings write on one instance is in force on all three within a second.
            long before = System.nanoTime();
            long version = a.create("throttles", Map.of("domain", "fwd.test", "maxConnections", 4)).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> a.configVersion() >= version && b.configVersion() >= version && c.configVersion() >= version);
            System.out.printf("settings write on node-a in force on all three after %d ms%n", (System.nanoTime() - before) / 1_000_000);

            // A message needing 127.0.0.3, put in node-a's outbox, leaves from 127.0.0.3; one result, on node-b.
            cluster.publish(a, List.of(TestCluster.message("first@fwd.test", "first 1", "127.0.0.3")));
            var first = sink.awaitMessages(1, Duration.ofSeconds(20)).getFirst();
            assertThat(first.clientAddress().getHostAddress()).isEqualTo("127.0.0.3");
            await().atMost(Duration.ofSeconds(10)).until(() -> TestCluster.depth(b, b.results()) == 1);
            // Settled everywhere: every publish is confirmed, so the counts below are final.
            await().atMost(Duration.ofSeconds(10)).until(() -> a.unsettled() == 0 && b.unsettled() == 0 && c.unsettled() == 0);
            assertThat(TestCluster.depth(a, a.results())).isZero();
            assertThat(TestCluster.depth(c, c.results())).isZero();
            assertThat(TestCluster.depth(b, b.results())).isEqualTo(1);

            // Forgeries: a reset and a forward without the secret change nothing.
            forgeriesChangeNothing(cluster, sink, a, b, c);

            // --list-cluster shows all three.
            assertThat(cluster.listCluster())
                    .anySatisfy(line -> assertThat(line).startsWith("node-a").contains("127.0.0.2"))
                    .anySatisfy(line -> assertThat(line).startsWith("node-b").contains("127.0.0.3"))
                    .anySatisfy(line -> assertThat(line).startsWith("node-c").contains("127.0.0.4"))
                    .anySatisfy(line -> assertThat(line).startsWith("3 live instances"));

            // SIGKILL: gone within cluster-peer-expiry plus one interval, on both survivors.
            long killed = System.nanoTime();
            c.process().kill();
            await().atMost(TestCluster.TIMEOUT.plus(TestCluster.INTERVAL).plusMillis(1_500)).pollInterval(Duration.ofMillis(50))
                    .until(() -> a.process().outputText().contains("peer node-c gone")
                            && b.process().outputText().contains("peer node-c gone"));
            System.out.printf("node-c, killed, counted gone after %d ms (timeout %d s + interval %d s)%n",
                    (System.nanoTime() - killed) / 1_000_000, TestCluster.TIMEOUT.toSeconds(), TestCluster.INTERVAL.toSeconds());
            assertThat(cluster.listCluster()).noneSatisfy(line -> assertThat(line).startsWith("node-c"))
                    .anySatisfy(line -> assertThat(line).startsWith("2 live instances"));

            // A clean stop: gone at once.
            b.process().terminate();
            assertThat(b.process().awaitExit(Duration.ofSeconds(20))).isZero();
            await().atMost(Duration.ofSeconds(1)).until(() -> a.process().outputText().contains("peer node-b left"));
            assertThat(cluster.listCluster()).noneSatisfy(line -> assertThat(line).startsWith("node-b"))
                    .anySatisfy(line -> assertThat(line).startsWith("1 live instance "));
        }
    }

    private void forgeriesChangeNothing(TestCluster cluster, SmtpSink sink, TestCluster.Instance a, TestCluster.Instance b,
            TestCluster.Instance c) throws Exception {
        // A version no instance has heard of: committed without the database's notification.
        long silent = silentVersionBump();
        var intruder = MessageSigner.of(Optional.of("not-the-cluster-secret-at-all"), Clock.systemUTC());
        var genuine = MessageSigner.of(Optional.of(TestCluster.SECRET), Clock.systemUTC());
        var reset = ("{\"type\":\"reset\",\"server\":\"node-x\",\"configVersion\":" + silent + "}").getBytes(StandardCharsets.UTF_8);
        var forged = JSON.writeValueAsBytes(TestCluster.message("forged@fwd.test", "forged 1", "127.0.0.3"));
        try (var connection = vhost.connection("ferry test intruder"); var channel = connection.createChannel()) {
            channel.basicPublish("cluster", "broadcast", properties(Map.of()), reset);
            channel.basicPublish("cluster", "broadcast", properties(intruder.sign(reset, "reset", "node-x")), reset);
            var forwardHeaders = new HashMap<String, Object>(Map.of(Forwarder.ORIGIN, "node-a", Forwarder.HOPS, 1));
            channel.basicPublish("cluster", "node.node-b", properties(forwardHeaders), forged);
            forwardHeaders.putAll(intruder.sign(forged, Forwarder.TYPE, "node-a"));
            channel.basicPublish("cluster", "node.node-b", properties(forwardHeaders), forged);

            // The real thing behind them, through node-a: when it has arrived, the forgeries had their chance.
            cluster.publish(a, List.of(TestCluster.message("genuine@fwd.test", "genuine 1", "127.0.0.3")));
            await().atMost(Duration.ofSeconds(20)).until(() -> recipients(sink).contains("genuine@fwd.test"));
            // Both forged forwards dropped by node-b, both forged resets by every instance: the events, not a wait.
            await().atMost(Duration.ofSeconds(10)).until(() -> b.metric("ferry_cluster_rejected_total{source=\"forward\"}") >= 2
                    && a.metric("ferry_cluster_rejected_total{source=\"control\"}") >= 2);
            assertThat(recipients(sink)).doesNotContain("forged@fwd.test");
            for (var instance : List.of(a, b, c)) {
                assertThat(instance.configVersion()).as(instance.serverId()).isLessThan(silent);
            }
            // Each forged forward is a message, so it ends in a failure result that says why, never in nothing.
            b.process().awaitOutput("refused a forward from node-a with a failure result: it is not signed",
                    "refused a forward from node-a with a failure result: its signature does not match");
            a.process().awaitOutput("dropped a message: reset");

            // Signed with the secret, the same reset is obeyed at once: the broadcast alone carries it.
            long before = System.nanoTime();
            channel.basicPublish("cluster", "broadcast", properties(genuine.sign(reset, "reset", "node-x")), reset);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> a.configVersion() >= silent && b.configVersion() >= silent && c.configVersion() >= silent);
            System.out.printf("a signed reset was in force on all three after %d ms%n", (System.nanoTime() - before) / 1_000_000);
        }
    }

    /**
     * 1,000 messages to one domain from one IP, forwarded from node-a (one outbox consumer, so it
     * takes them in queue order) to node-b, which may hold one connection to the domain: they
     * reach the sink in the order they were queued.
     */
    @Test
    void keepsTheOrderOfOneLaneThroughForwarding() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b", "node-c"), List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"),
                    "--rabbitmq-consumers=1");
            var a = instances.get(0);
            a.create("routes", Map.of("domain", "order.test", "kind", "smarthost", "host", "127.0.0.1", "port", sink.port()));
            long version = a.create("throttles", Map.of("domain", "order.test", "maxConnections", 1)).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> instances.stream().allMatch(i -> version(i) >= version));

            int count = 1_000;
            cluster.publish(a, IntStream.range(0, count)
                    .mapToObj(i -> TestCluster.message("user" + i + "@order.test", "order " + i, "127.0.0.3")).toList());

            var received = sink.awaitMessages(count, Duration.ofSeconds(120));
            var sequence = received.stream().map(ThreeInstanceClusterIT::sequence).toList();
            assertThat(received).allSatisfy(message -> assertThat(message.clientAddress().getHostAddress()).isEqualTo("127.0.0.3"));
            assertThat(sequence).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
            assertThat(sink.maxConcurrentConnections()).isEqualTo(1);
        }
    }

    /**
     * 5,000 messages forwarded from node-a to node-b and node-c while every broker connection of
     * the cluster is closed by force, twice: every message reaches the sink. Duplicates (a message
     * delivered, then redelivered because its ack was lost with the connection) are allowed and
     * counted.
     */
    @Test
    void losesNoForwardWhenAllConnectionsAreClosedTwice() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            // A forward or delivery that fails for now while the connections are closed is tried
            // again after retry-interval, 10 minutes by default: longer than this test waits. The
            // test is about nothing being lost, so a retry comes within it.
            var instances = cluster.start(List.of("node-a", "node-b", "node-c"), List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"),
                    "--retry-interval=5");
            var a = instances.get(0);
            long version = a.create("routes", Map.of("domain", "bulk.test", "kind", "smarthost", "host", "127.0.0.1",
                    "port", sink.port())).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> instances.stream().allMatch(i -> version(i) >= version));

            int count = 5_000;
            cluster.publish(a, IntStream.range(0, count).mapToObj(i -> TestCluster.message("user" + i + "@bulk.test",
                    "bulk " + i, i % 2 == 0 ? "127.0.0.3" : "127.0.0.4")).toList());

            var closes = new ArrayList<String>();
            for (int threshold : List.of(count / 10, count / 2)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.messages().size() >= threshold);
                closes.add("at %d delivered (node-a's outbox held %d)".formatted(sink.messages().size(), TestCluster.depth(a, a.outbox())));
                vhost.closeAllConnections("ferry test: closing every connection mid-forwarding");
            }

            try {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> distinct(sink.messages()).size() == count);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                var arrived = distinct(sink.messages());
                var why = new StringBuilder(arrived.size() + " of " + count + " arrived; closes " + closes + "; missing: "
                        + IntStream.range(0, count).filter(i -> !arrived.contains(i)).limit(20).boxed().toList());
                for (var instance : instances) {
                    why.append("\n--- ").append(instance.serverId()).append(": ").append(counts(instance)).append("\n");
                    instance.process().outputText().lines().filter(line -> !line.contains(" INFO ") || line.contains("forward")
                            || line.contains("failed")).forEach(line -> why.append(line).append('\n'));
                }
                throw new AssertionError(why.toString(), e);
            }
            var distinct = distinct(sink.messages());
            int duplicates = sink.messages().size() - distinct.size();
            System.out.printf("5,000 forwards through two forced closes (%s): all %d arrived, %d duplicates; retried: %s%n",
                    String.join("; ", closes), distinct.size(), duplicates,
                    instances.stream().map(i -> i.serverId() + " " + retried(i)).toList());
            assertThat(distinct).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
            assertThat(sink.messages()).allSatisfy(message -> assertThat(message.clientAddress().getHostAddress())
                    .isIn("127.0.0.3", "127.0.0.4"));
            for (var instance : instances) {
                assertThat(instance.process().isAlive()).as(instance.serverId() + " survived").isTrue();
            }
        }
    }

    /** The instance's counters from {@code /api/relay} (retried, failed, handed back, ...), or why they could not be read. */
    private static String counts(TestCluster.Instance instance) {
        try {
            return instance.get("/api/relay").get("counts").toString();
        } catch (Exception e) {
            return "counters not readable: " + e;
        }
    }

    private static String retried(TestCluster.Instance instance) {
        try {
            return instance.get("/api/relay").get("counts").get("retried").asText();
        } catch (Exception e) {
            return "?";
        }
    }

    private static long version(TestCluster.Instance instance) {
        try {
            return instance.configVersion();
        } catch (Exception e) {
            return -1;
        }
    }

    private static TreeSet<Integer> distinct(List<ReceivedMessage> messages) {
        var seen = new TreeSet<Integer>();
        messages.forEach(message -> seen.add(sequence(message)));
        return seen;
    }

    private static int sequence(ReceivedMessage message) {
        var matcher = SEQUENCE.matcher(message.text());
        if (!matcher.find()) {
            throw new AssertionError("no sequence number in " + message.text());
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static List<String> recipients(SmtpSink sink) {
        return sink.messages().stream().flatMap(message -> message.recipients().stream()).toList();
    }

    private static AMQP.BasicProperties properties(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).headers(headers).build();
    }

    private static long silentVersionBump() throws Exception {
        try (var connection = database.connect(); var statement = connection.createStatement();
                var result = statement.executeQuery("UPDATE config_version SET version = version + 1 RETURNING version")) {
            result.next();
            return result.getLong(1);
        }
    }
}
