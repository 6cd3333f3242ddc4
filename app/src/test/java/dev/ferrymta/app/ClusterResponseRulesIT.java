package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three instances as processes (127.0.0.2, .3, .4) and a sink that rate-limits one source IP: the
 * operator's response rule, written through one console, fires on the instance owning that IP;
 * within a second every instance has the automatic pause in force and shows it; no message goes
 * from that IP to that domain while it holds, whichever instance it was published to, while the
 * other IPs keep delivering; when it ends by itself, every held message is delivered, none failed.
 */
class ClusterResponseRulesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    private static Map<String, Object> message(String recipient, String ip) {
        var message = new LinkedHashMap<String, Object>(TestCluster.message(recipient, recipient, ip));
        message.put("retries", List.of(1, 5, 15));
        return message;
    }

    @Test
    void aRateLimitOnOneIpHoldsThatIpOnEveryInstanceUntilItEndsAndEveryMessageIsDelivered() throws Exception {
        var limited = InetAddress.getByName("127.0.0.2");
        var rcptFromLimited = new CopyOnWriteArrayList<Instant>();
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            sink.script().on(SmtpCommand.RCPT).from(limited).matching(line -> !rcptFromLimited.add(Instant.now()));
            sink.script().on(SmtpCommand.RCPT).from(limited).times(1).reply(421, "4.7.0 [127.0.0.2] please slow down");
            var instances = cluster.start(List.of("rr-a", "rr-b", "rr-c"), List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
            var a = instances.get(0);
            var b = instances.get(1);
            var c = instances.get(2);
            a.create("routes", Map.of("domain", "limited.test", "kind", "smarthost", "host", "127.0.0.1", "port", sink.port()));
            long rule = c.create("response-rules", Map.of("name", "operator-slow-down", "code", "421", "text", "slow down",
                    "action", "suspend", "scope", "ip+domain", "minutes", 1)).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.configVersion() >= rule && b.configVersion() >= rule
                    && c.configVersion() >= rule);

            cluster.publish(a, List.of(message("first@limited.test", "127.0.0.2")));
            await().atMost(Duration.ofSeconds(20)).until(() -> a.process().outputText().contains("response rule 'operator-slow-down'"));
            long fired = System.nanoTime();
            for (var instance : instances) {
                await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> automaticPause(instance) != null);
            }
            long inForceMillis = (System.nanoTime() - fired) / 1_000_000;
            System.out.printf("automatic pause in force on all three instances %d ms after the rule fired%n", inForceMillis);
            for (var instance : instances) {
                assertThat(page(instance, "/")).as(instance.serverId() + "'s overview")
                        .contains("<h2>Automatic actions</h2>", "rule &#39;operator-slow-down&#39; on rr-a");
            }
            var until = Instant.parse(automaticPause(b));

            // Messages from the held IP to every instance (b and c forward theirs to a), and from the others.
            var sent = new ArrayList<String>();
            for (var instance : instances) {
                var batch = new ArrayList<Map<String, Object>>();
                for (var ip : List.of("127.0.0.2", "127.0.0.2", instance.ip())) {
                    var recipient = "m" + sent.size() + "-" + ip.substring(ip.lastIndexOf('.') + 1) + "@limited.test";
                    sent.add(recipient);
                    batch.add(message(recipient, ip));
                }
                cluster.publish(instance, batch);
            }
            // .3 and .4 deliver while .2 is held (a's own message from .2 is held too).
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().stream()
                    .filter(m -> !m.clientAddress().equals(limited)).count() >= 2);
            assertThat(rcptFromLimited).as("RCPT commands from the held IP so far: the one that was refused").hasSize(1);

            // The pause ends by itself; every message is delivered, each once, none failed.
            try {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                        .until(() -> sink.messages().size() >= sent.size() + 1);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                var seen = sink.messages().stream().map(m -> m.recipients().getFirst()).toList();
                var why = new StringBuilder("delivered " + seen + " of " + sent + " and first@limited.test");
                for (var instance : instances) {
                    why.append("\n--- ").append(instance.serverId()).append(":\n").append(instance.process().outputText());
                }
                throw new AssertionError(why.toString(), e);
            }
            var delivered = sink.messages().stream().collect(Collectors.groupingBy(m -> m.recipients().getFirst(), Collectors.counting()));
            assertThat(delivered.keySet()).containsAll(sent).contains("first@limited.test");
            assertThat(delivered.values()).allMatch(n -> n == 1);
            assertThat(rcptFromLimited.subList(1, rcptFromLimited.size())).as("no RCPT from the held IP before the pause's end")
                    .allMatch(at -> !at.isBefore(until));
            for (var instance : instances) {
                assertThat(TestCluster.depth(instance, instance.serverId() + ".failure")).as(instance.serverId() + " failures").isZero();
            }
        }
    }

    /** The {@code until} of the automatic pause by rule 'operator-slow-down' an instance has in force, or null. */
    private static String automaticPause(TestCluster.Instance instance) throws Exception {
        for (var pause : instance.settings("pauses").path("pauses")) {
            if (pause.path("reason").asText().startsWith("automatic: rule 'operator-slow-down' on rr-a")
                    && pause.path("localIp").asText().startsWith("127.0.0.2") && pause.path("domain").asText().equals("limited.test")) {
                return pause.path("until").asText();
            }
        }
        return null;
    }

    private static String page(TestCluster.Instance instance, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.consolePort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
