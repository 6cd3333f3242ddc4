package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.broker.QueueDepth;
import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.testing.broker.TestRabbitNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A memory alarm on the broker (a RabbitMQ node of the test's own): the broker blocks every
 * connection that publishes. The console must not wait on it: every page answers within a
 * second, the outbox depth comes from a connection of its own, and {@code /health} says 503 with
 * the reason.
 */
class ConsoleBrokerAlarmIT {

    @RegisterExtension
    final TestRabbitNode node = new TestRabbitNode();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private BrokerLink link;
    private QueueDepth depth;
    private ConsoleServer console;

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
        if (depth != null) {
            depth.close();
        }
        if (link != null) {
            link.close();
        }
    }

    @Test
    void aBlockedBrokerLeavesEveryPageAnsweringAndHealthSaysWhy() throws Exception {
        link = new BrokerLink(AmqpAddress.parse(node.address()), "ferry alarm test");
        assertThat(link.connect()).isTrue();
        var publisher = link.connection().createChannel();
        publisher.queueDeclare("outbox", true, false, false, null);
        publisher.basicPublish("", "outbox", null, "{}".getBytes());
        depth = new QueueDepth(() -> link.sideConnection("queue depth", Duration.ofSeconds(2)), "outbox", Duration.ofMillis(500))
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> depth.get().isPresent());
        var config = new ConsoleConfig(InetAddress.getLoopbackAddress(), 0, URI.create("http://127.0.0.1/"), Optional.empty());
        var info = new InstanceInfo("mail1", "mail1.example", "1.2.3", Instant.now(), List.of(), List.of(link), () -> 1,
                Optional::empty, Optional::empty, List::of, depth::get, Optional::empty, () -> 0, () -> 0);
        console = new ConsoleServer(config, info, Clock.systemUTC());
        console.start();

        node.rabbitmqctl("set_vm_memory_high_watermark", "0.00001");
        // The alarm blocks a connection once it publishes.
        publisher.basicPublish("", "outbox", null, "{}".getBytes());
        await().atMost(Duration.ofSeconds(30)).until(link::blocked);

        for (var path : List.of("/", "/cluster", "/settings", "/results", "/api/status", "/api/relay", "/metrics", "/health")) {
            long started = System.nanoTime();
            var answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port() + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(path).isLessThan(Duration.ofSeconds(1));
            if (path.equals("/health")) {
                assertThat(answer.statusCode()).isEqualTo(503);
                assertThat(answer.body()).contains("\"status\":\"degraded\"", "\"state\":\"blocked\"", "blocked by the broker");
            }
            if (path.equals("/")) {
                assertThat(answer.body()).contains("blocked");
            }
        }
    }
}
