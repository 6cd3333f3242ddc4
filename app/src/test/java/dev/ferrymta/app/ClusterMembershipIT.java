package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.ferrymta.cluster.ClusterCodec;
import dev.ferrymta.cluster.ClusterMessage;
import dev.ferrymta.cluster.Forwarder;
import dev.ferrymta.cluster.MessageSigner;
import dev.ferrymta.cluster.ServerId;
import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the cluster does when its membership is not what it should be, with real processes on the
 * real broker: an instance killed for good leaves forwards behind, a forward cannot be trusted or
 * is replayed, a clock is off, two instances share a server-id or claim one source IP.
 */
class ClusterMembershipIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    /**
     * node-a is killed with SIGKILL and not restarted; 40 forwards for its IP and 10 for node-b's
     * wait in its forward queue. After cluster-orphan-after node-b drains the queue through the
     * normal path: its own 10 are delivered, the 40 have no live owner and are retried until their
     * attempts run out, each ending in a failure result; the queue is deleted.
     */
    @Test
    void drainsTheForwardQueueOfAnInstanceKilledForGood() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b"), List.of("127.0.0.2", "127.0.0.3"),
                    "--cluster-orphan-after=5");
            var a = instances.get(0);
            var b = instances.get(1);
            route(a, sink, instances, "orphans.test");

            a.process().kill();
            long killed = System.nanoTime();
            // SIGKILL is sent, not waited for: until the process is gone, its consumer can still take what is published.
            a.process().awaitExit(Duration.ofSeconds(20));
            var genuine = MessageSigner.of(Optional.of(TestCluster.SECRET), Clock.systemUTC());
            var queue = "cluster.node-a.forward";
            try (var connection = vhost.connection("ferry test orphans"); var channel = connection.createChannel()) {
                channel.confirmSelect();
                for (int i = 0; i < 50; i++) {
                    var message = new LinkedHashMap<String, Object>(TestCluster.message("orphan" + i + "@orphans.test", "orphan " + i,
                            i < 40 ? "127.0.0.2" : "127.0.0.3"));
                    message.put("maxattempts", 2);
                    message.put("retries", List.of(1));
                    publishForward(channel, genuine, "node-c", "node.node-a", JSON.writeValueAsBytes(message));
                }
                channel.waitForConfirmsOrDie(10_000);
            }
            // The broker requeues whatever it was still handing to the dead consumer when it sees the connection gone.
            await().atMost(Duration.ofSeconds(15)).until(() -> TestCluster.depth(b, queue) == 50);

            // Taken out of the queue within cluster-orphan-after (counted from node-a's last announce) plus an interval;
            // unbound at the next tick and deleted at the one after.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> b.process().outputText().contains("draining its forward queue '" + queue + "'")
                            && b.get("/api/cluster").path("forwardQueues").toString().contains("\"queue\":\"" + queue + "\",\"depth\":0"));
            System.out.printf("node-a's forward queue empty %d ms after the kill (orphan-after 5 s, interval 1 s)%n",
                    (System.nanoTime() - killed) / 1_000_000);
            until(b, Duration.ofSeconds(30), () -> b.process().outputText().contains("deleted the empty forward queue '" + queue + "'"));
            System.out.printf("node-a's forward queue drained and deleted %d ms after the kill (orphan-after 5 s, peer expiry %d s)%n",
                    (System.nanoTime() - killed) / 1_000_000, TestCluster.TIMEOUT.toSeconds());
            b.process().awaitOutput("draining its forward queue '" + queue + "' (50 messages)");

            // The 10 for node-b's own IP are delivered from it; the 40 fail with a result each, after their retries.
            var delivered = sink.awaitMessages(10, Duration.ofSeconds(20));
            assertThat(delivered).allSatisfy(m -> assertThat(m.clientAddress().getHostAddress()).isEqualTo("127.0.0.3"));
            var failures = awaitResults(b, b.instance("failure"), 40);
            assertThat(failures).extracting(r -> r.get("recipient").asText())
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 40).mapToObj(i -> "orphan" + i + "@orphans.test").toList());
            assertThat(failures).allSatisfy(r -> assertThat(r.toString()).contains("no live instance of the cluster owns it"));
            await().atMost(Duration.ofSeconds(10)).until(() -> b.unsettled() == 0);
            assertThat(sink.messages()).hasSize(10);
        }
    }

    /**
     * Into node-b's own forward queue: a forward signed 8 days ago, one signed with a retired
     * secret, one unsigned, and 5 genuine ones published 3 times each. The first three end in a
     * failure result naming why; the 5 are delivered once each. An announce signed 10 minutes
     * ahead is dropped, and the log and /health say the sender's clock is ahead.
     */
    @Test
    void refusesUntrustedForwardsWithAResultDeliversReplaysOnceAndNamesASkewedClock() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b"), List.of("127.0.0.2", "127.0.0.3"));
            var a = instances.get(0);
            var b = instances.get(1);
            route(a, sink, instances, "replays.test");

            var genuine = MessageSigner.of(Optional.of(TestCluster.SECRET), Clock.systemUTC());
            var eightDaysAgo = MessageSigner.of(Optional.of(TestCluster.SECRET), Clock.offset(Clock.systemUTC(), Duration.ofDays(-8)));
            var retired = MessageSigner.of(Optional.of("the-secret-we-used-until-last-month"), Clock.systemUTC());
            try (var connection = vhost.connection("ferry test forwards"); var channel = connection.createChannel()) {
                channel.confirmSelect();
                publishForward(channel, eightDaysAgo, "node-a", "node.node-b", body("old@replays.test", "old 1"));
                publishForward(channel, retired, "node-a", "node.node-b", body("retired@replays.test", "retired 1"));
                publishForward(channel, MessageSigner.none(), "node-a", "node.node-b", body("unsigned@replays.test", "unsigned 1"));
                var copies = new ArrayList<Map.Entry<byte[], Map<String, Object>>>();
                for (int i = 0; i < 5; i++) {
                    var forward = body("replayed" + i + "@replays.test", "replayed " + i);
                    copies.add(Map.entry(forward, forwardHeaders(genuine, "node-a", forward)));
                }
                for (int round = 0; round < 3; round++) {
                    for (var copy : copies) {
                        channel.basicPublish("cluster", "node.node-b", properties(copy.getValue()), copy.getKey());
                    }
                }
                channel.waitForConfirmsOrDie(10_000);

                var failures = awaitResults(b, b.instance("failure"), 3);
                var reasons = new HashMap<String, String>();
                failures.forEach(r -> reasons.put(r.get("recipient").asText(), r.toString()));
                assertThat(reasons.get("old@replays.test")).contains("signed 8 days ago").contains("a forward is valid for 7 days");
                assertThat(reasons.get("retired@replays.test")).contains("signature does not match")
                        .contains("such as one retired since");
                assertThat(reasons.get("unsigned@replays.test")).contains("it is not signed");

                var delivered = sink.awaitMessages(5, Duration.ofSeconds(20));
                until(b, Duration.ofSeconds(10), () -> b.get("/api/status").at("/cluster/replaysDropped").asLong() == 10);
                await().atMost(Duration.ofSeconds(10)).until(() -> b.unsettled() == 0);
                assertThat(sink.messages()).hasSize(5);
                assertThat(delivered).extracting(m -> m.recipients().getFirst())
                        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 5).mapToObj(i -> "replayed" + i + "@replays.test").toList());
                b.process().awaitOutput("dropped a copy of a forward that arrived before (a replay)");

                // node-z's clock runs 10 minutes ahead: its announce is dropped and the cause is named.
                var ahead = MessageSigner.of(Optional.of(TestCluster.SECRET), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
                var announce = ClusterCodec.encode(new ClusterMessage.Announce(new ServerId("node-z"), UUID.randomUUID().toString(),
                        "z.example", List.of(InetAddress.getByName("127.0.0.9")), URI.create("http://127.0.0.1:1/"), "test", 0,
                        Instant.now(), Map.of()));
                channel.basicPublish("cluster", "broadcast", properties(ahead.sign(announce, "announce", "node-z")), announce);
                await().atMost(Duration.ofSeconds(10)).until(() -> b.process().outputText().contains(
                        "dropped announce from node-z: it was signed 10 min in the future"));
                b.process().awaitOutput("the sender's clock is ahead of ours by about 10 min");
                var health = a.get("/health");
                assertThat(health.get("warnings").toString()).contains("the clock of node-z is 10 min ahead of ours");
                assertThat(a.get("/api/cluster").get("instances")).noneSatisfy(i -> assertThat(i.get("server").asText()).isEqualTo("node-z"));
            }
        }
    }

    /**
     * A second instance started with node-a's server-id stops with an error naming it, while
     * node-a shows the conflict; the 30 messages for node-a's IP published to node-b meanwhile are
     * all delivered from it, none failed.
     */
    @Test
    void aSecondInstanceWithATakenServerIdRefusesToStart() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b"), List.of("127.0.0.2", "127.0.0.3"));
            var a = instances.get(0);
            var b = instances.get(1);
            route(a, sink, instances, "twin.test");

            try (var twin = FerryProcess.start(cluster.arguments("node-a", "127.0.0.5", FerryProcess.freePort(), vhost)
                    .toArray(String[]::new))) {
                var messages = IntStream.range(0, 30).mapToObj(i -> retried("twin" + i + "@twin.test", "twin " + i, "127.0.0.2")).toList();
                cluster.publish(b, messages);
                // The twin announces while it waits for the queue (its JVM start first): a shows the conflict meanwhile.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        a.get("/health").path("errors").toString().contains("server-id node-a is also announced by another instance"));
                assertThat(twin.awaitExit(Duration.ofSeconds(30))).isNotZero();
                assertThat(twin.outputText()).contains("this server-id is taken: forward queue 'cluster.node-a.forward' stayed in "
                        + "exclusive use by another consumer");
            }
            var delivered = sink.awaitMessages(30, Duration.ofSeconds(60));
            assertThat(delivered).allSatisfy(m -> assertThat(m.clientAddress().getHostAddress()).isEqualTo("127.0.0.2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.unsettled() == 0 && b.unsettled() == 0);
            assertThat(TestCluster.depth(b, b.instance("failure"))).isZero();
            assertThat(TestCluster.depth(a, a.instance("failure"))).isZero();
        }
    }

    /**
     * node-a and node-b both claim 127.0.0.2: every console and /health says so, and node-c
     * forwards nothing for that IP while it is contested. Once node-b stops, node-a alone owns it
     * and the held messages are delivered from it, none failed.
     */
    @Test
    void anIpClaimedTwiceIsAConflictAndNothingIsForwardedToItUntilOneClaimRemains() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            var instances = cluster.start(List.of("node-a", "node-b", "node-c"), List.of("127.0.0.2", "127.0.0.2", "127.0.0.4"));
            var a = instances.get(0);
            var b = instances.get(1);
            var c = instances.get(2);
            route(a, sink, instances, "contested.test");

            for (var instance : instances) {
                await().atMost(Duration.ofSeconds(10)).until(() -> instance.get("/health").path("errors").toString()
                        .contains("source IP 127.0.0.2 is claimed by node-a and node-b"));
                assertThat(instance.get("/health").get("status").asText()).isEqualTo("degraded");
            }
            cluster.publish(c, IntStream.range(0, 10).mapToObj(i -> retried("contested" + i + "@contested.test", "contested " + i, "127.0.0.2"))
                    .toList());
            await().atMost(Duration.ofSeconds(15)).until(() -> c.process().outputText()
                    .contains("source IP 127.0.0.2 is claimed by node-a and node-b; forwarding waits until only one instance claims it"));
            assertThat(sink.messages()).as("nothing forwarded to a contested IP").isEmpty();

            b.process().terminate();
            assertThat(b.process().awaitExit(Duration.ofSeconds(20))).isZero();
            var delivered = sink.awaitMessages(10, Duration.ofSeconds(60));
            assertThat(delivered).allSatisfy(m -> assertThat(m.clientAddress().getHostAddress()).isEqualTo("127.0.0.2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.get("/health").get("status").asText().equals("up"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.unsettled() == 0 && c.unsettled() == 0);
            assertThat(TestCluster.depth(c, c.instance("failure"))).isZero();
        }
    }

    /** A smarthost route for the domain to the sink, in force on every instance (each test its own: the database is shared). */
    private static void route(TestCluster.Instance on, SmtpSink sink, List<TestCluster.Instance> instances, String domain)
            throws Exception {
        long version = on.create("routes", Map.of("domain", domain, "kind", "smarthost", "host", "127.0.0.1", "port", sink.port()))
                .get("configVersion").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> instances.stream().filter(i -> i.process().isAlive())
                .allMatch(i -> configVersion(i) >= version));
    }

    private static long configVersion(TestCluster.Instance instance) {
        try {
            return instance.configVersion();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A message retried every second, up to 30 attempts: it outlasts a wait without failing. */
    private static Map<String, Object> retried(String recipient, String subject, String ip) {
        var message = new LinkedHashMap<>(TestCluster.message(recipient, subject, ip));
        message.put("retries", List.of(1));
        message.put("maxattempts", 30);
        return message;
    }

    /** Waits for {@code condition}; on timeout fails with what the instance wrote, to see why. */
    private static void until(TestCluster.Instance instance, Duration limit, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            var output = instance.process().output();
            throw new AssertionError(e.getMessage() + "\n" + instance.serverId() + " wrote (last 80 lines):\n"
                    + String.join("\n", output.subList(Math.max(0, output.size() - 80), output.size())), e);
        }
    }

    private static byte[] body(String recipient, String subject) throws IOException {
        return JSON.writeValueAsBytes(TestCluster.message(recipient, subject, "127.0.0.3"));
    }

    private static Map<String, Object> forwardHeaders(MessageSigner signer, String origin, byte[] body) {
        var headers = new HashMap<String, Object>(Map.of(Forwarder.ORIGIN, origin, Forwarder.HOPS, 1));
        headers.putAll(signer.sign(body, Forwarder.TYPE, origin, UUID.randomUUID().toString()));
        return headers;
    }

    private static void publishForward(com.rabbitmq.client.Channel channel, MessageSigner signer, String origin, String key, byte[] body)
            throws IOException {
        channel.basicPublish("cluster", key, properties(forwardHeaders(signer, origin, body)), body);
    }

    private static AMQP.BasicProperties properties(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).headers(headers).build();
    }

    /** Takes {@code count} results from a queue of the instance's broker, waiting for them. */
    private static List<JsonNode> awaitResults(TestCluster.Instance instance, String queue, int count) throws Exception {
        var results = new ArrayList<JsonNode>();
        try (var connection = instance.broker().factory().newConnection("ferry test results"); var channel = connection.createChannel()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                com.rabbitmq.client.GetResponse response;
                while ((response = channel.basicGet(queue, true)) != null) {
                    results.add(JSON.readTree(response.getBody()));
                }
                return results.size() >= count;
            });
        }
        assertThat(results).hasSize(count);
        return results;
    }
}
