package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpCommand;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances as processes: a rate-limit reply to one instance's IP becomes an automatic pause
 * in the shared settings, in force on both within a second, shown by both consoles.
 */
class SharedSuspensionIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    @Test
    void aRateLimitReplyOnOneInstanceIsAPauseOnEveryInstanceWithinASecond() throws Exception {
        try (var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0); var cluster = new TestCluster(vhost, database)) {
            sink.script().on(SmtpCommand.RCPT).from(InetAddress.getByName("127.0.0.2")).reply(421, "4.7.28 [127.0.0.2] Our system has "
                    + "detected an unusual rate of unsolicited mail originating from your IP address.");
            var instances = cluster.start(List.of("susp-a", "susp-b"), List.of("127.0.0.2", "127.0.0.3"));
            var a = instances.get(0);
            var b = instances.get(1);
            long route = a.create("routes", Map.of("domain", "limited.test", "kind", "smarthost", "host", "127.0.0.1",
                    "port", sink.port())).get("configVersion").asLong();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.configVersion() >= route && b.configVersion() >= route);

            cluster.publish(a, List.of(TestCluster.message("one@limited.test", "limited 1", "127.0.0.2")));
            await().atMost(Duration.ofSeconds(20)).until(() -> a.process().outputText().contains("response rule 'google-rate-limit'"));
            long fired = System.nanoTime();

            for (var instance : List.of(a, b)) {
                await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    for (var pause : instance.settings("pauses").path("pauses")) {
                        if (pause.path("reason").asText().startsWith("automatic: rule 'google-rate-limit' on susp-a")) {
                            return true;
                        }
                    }
                    return false;
                });
            }
            System.out.printf("automatic pause in force on both instances %d ms after the rule fired%n",
                    (System.nanoTime() - fired) / 1_000_000);
            var pause = b.settings("pauses").path("pauses").get(0);
            assertThat(pause.path("localIp").asText()).startsWith("127.0.0.2");
            assertThat(pause.path("domain").asText()).isEqualTo("limited.test");
            assertThat(pause.path("until").asText()).isNotBlank();
        }
    }
}
