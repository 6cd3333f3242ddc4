package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.dns.DnsResponder;
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
 * Three instances as processes (127.0.0.2, .3, .4), a real DNS responder, a sink for the two
 * domains of one provider group ({@code *.mx.testmail.test}) and one for a domain of no provider.
 * The operator's provider group and response rule, written through one console, fire on the
 * instance owning the limited IP; within a second every instance has the automatic pause (every
 * domain of the provider, from that IP) in force and shows it; no message goes from that IP to
 * either of the provider's domains while it holds, whichever instance it was published to, while
 * the other IPs, and that IP to the other domain, keep delivering; when it ends by itself, every
 * held message is delivered, each once, none failed.
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
    void aRateLimitFromOneProviderHoldsThatIpForEveryDomainOfTheProviderOnEveryInstanceUntilItEnds() throws Exception {
        var limited = InetAddress.getByName("127.0.0.2");
        var rcptFromLimited = new CopyOnWriteArrayList<Instant>();
        try (var dns = DnsResponder.start();
                var provider = SmtpSink.start(InetAddress.getByName("127.0.0.61"), 25);
                var other = SmtpSink.start(InetAddress.getByName("127.0.0.62"), 25);
                var cluster = new TestCluster(vhost, database)) {
            dns.mx("one.test", 10, "in1.mx.testmail.test").a("in1.mx.testmail.test", "127.0.0.61")
                    .mx("two.test", 10, "in2.mx.testmail.test").a("in2.mx.testmail.test", "127.0.0.61")
                    .mx("elsewhere.test", 10, "mx.elsewhere.test").a("mx.elsewhere.test", "127.0.0.62");
            provider.script().on(SmtpCommand.RCPT).from(limited).matching(line -> !rcptFromLimited.add(Instant.now()));
            provider.script().on(SmtpCommand.RCPT).from(limited).times(1).reply(421, "4.7.0 [127.0.0.2] please slow down");
            var instances = cluster.start(List.of("rr-a", "rr-b", "rr-c"), List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"),
                    "--dns-server=" + dns.hostPort(), "--smtp-allowed-destinations=127.0.0.0/8");
            var a = instances.get(0);
            var b = instances.get(1);
            var c = instances.get(2);
            a.create("providers", Map.of("name", "testmail", "mxPatterns", List.of("*.mx.testmail.test")));
            long rule = c.create("response-rules", Map.of("name", "testmail-slow-down", "code", "421", "text", "slow down",
                    "action", "suspend", "scope", "ip+provider", "minutes", 1, "provider", "testmail")).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.configVersion() >= rule && b.configVersion() >= rule
                    && c.configVersion() >= rule);

            cluster.publish(a, List.of(message("first@one.test", "127.0.0.2")));
            await().atMost(Duration.ofSeconds(20)).until(() -> a.process().outputText()
                    .contains("response rule 'testmail-slow-down' suspends sending from 127.0.0.2 to every domain of provider testmail"));
            long fired = System.nanoTime();
            for (var instance : instances) {
                await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> automaticPause(instance) != null);
            }
            long inForceMillis = (System.nanoTime() - fired) / 1_000_000;
            System.out.printf("automatic pause of provider testmail in force on all three instances %d ms after the rule fired%n",
                    inForceMillis);
            for (var instance : instances) {
                assertThat(page(instance, "/")).as(instance.serverId() + "'s overview")
                        .contains("<h2>Automatic actions</h2>", "provider testmail", "rule &#39;testmail-slow-down&#39; on rr-a");
            }
            var until = Instant.parse(automaticPause(b));

            // From the held IP to both of the provider's domains, through every instance (b and c
            // forward theirs to a); from each instance's own IP; and from the held IP elsewhere.
            var sent = new ArrayList<String>();
            for (var instance : instances) {
                var batch = new ArrayList<Map<String, Object>>();
                for (var to : List.of("127.0.0.2 one.test", "127.0.0.2 two.test", instance.ip() + " two.test", "127.0.0.2 elsewhere.test")) {
                    var ip = to.split(" ")[0];
                    var recipient = "m" + sent.size() + "-" + ip.substring(ip.lastIndexOf('.') + 1) + "@" + to.split(" ")[1];
                    sent.add(recipient);
                    batch.add(message(recipient, ip));
                }
                cluster.publish(instance, batch);
            }
            // .3 and .4 deliver to the provider, and .2 to the other domain, while .2 is held for the provider.
            await().atMost(Duration.ofSeconds(20)).until(() -> provider.messages().stream()
                    .filter(m -> !m.clientAddress().equals(limited)).count() >= 2 && other.messages().size() >= 3);
            assertThat(rcptFromLimited).as("RCPT commands from the held IP to the provider so far: the one that was refused")
                    .hasSize(1);

            // The pause ends by itself; every message is delivered, each once, none failed.
            try {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                        .until(() -> provider.messages().size() + other.messages().size() >= sent.size() + 1);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                var seen = new ArrayList<String>();
                provider.messages().forEach(m -> seen.add(m.recipients().getFirst()));
                other.messages().forEach(m -> seen.add(m.recipients().getFirst()));
                var why = new StringBuilder("delivered " + seen + " of " + sent + " and first@one.test");
                for (var instance : instances) {
                    why.append("\n--- ").append(instance.serverId()).append(":\n").append(instance.process().outputText());
                }
                throw new AssertionError(why.toString(), e);
            }
            var all = new ArrayList<>(provider.messages());
            all.addAll(other.messages());
            var delivered = all.stream().collect(Collectors.groupingBy(m -> m.recipients().getFirst(), Collectors.counting()));
            assertThat(delivered.keySet()).containsAll(sent).contains("first@one.test");
            assertThat(delivered.values()).allMatch(n -> n == 1);
            assertThat(rcptFromLimited.subList(1, rcptFromLimited.size())).as("no RCPT from the held IP to the provider before the end")
                    .allMatch(at -> !at.isBefore(until));
            for (var instance : instances) {
                assertThat(TestCluster.depth(instance, instance.serverId() + ".failure")).as(instance.serverId() + " failures").isZero();
            }
        }
    }

    /** The {@code until} of the automatic pause of provider testmail from 127.0.0.2 an instance has in force, or null. */
    private static String automaticPause(TestCluster.Instance instance) throws Exception {
        for (var pause : instance.settings("pauses").path("pauses")) {
            if (pause.path("reason").asText().startsWith("automatic: rule 'testmail-slow-down' on rr-a")
                    && pause.path("localIp").asText().startsWith("127.0.0.2") && pause.path("provider").asText().equals("testmail")
                    && pause.path("domain").isNull()) {
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
