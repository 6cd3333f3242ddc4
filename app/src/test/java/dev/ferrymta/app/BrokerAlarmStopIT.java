package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferrymta.testing.broker.TestRabbitNode;
import dev.ferrymta.testing.db.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A whole instance on a broker of the test's own that raises a memory alarm: the broker blocks
 * every connection that publishes. {@code /health} says so (503, degraded), the console keeps
 * answering, and a stop during the alarm still exits 0.
 */
class BrokerAlarmStopIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestRabbitNode node = new TestRabbitNode();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStopDuringAMemoryAlarmExitsZeroAndHealthShowedTheBlock() throws Exception {
        int port = FerryProcess.freePort();
        try (var ferry = FerryProcess.start("--config", "config.sample", "--server-id=alarm", "--smtp-ips=127.0.0.2",
                "--rabbitmq-address=" + node.address(), "--database-address=" + database.address(), "--www-port=" + port,
                "--cluster-interval=1", "--cluster-peer-expiry=3")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ferry.outputText().contains("ready:") || !ferry.isAlive());
            assertThat(ferry.isAlive()).as(ferry.outputText()).isTrue();
            assertThat(get(port, "/health").statusCode()).isEqualTo(200);

            node.rabbitmqctl("set_vm_memory_high_watermark", "0.00001");

            // The instance announces itself every second on the cluster exchange: that publish gets it blocked.
            await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/health").statusCode() == 503);
            var health = JSON.readTree(get(port, "/health").body());
            assertThat(health.get("status").asText()).isEqualTo("degraded");
            assertThat(health.toString()).contains("blocked by the broker");
            long started = System.nanoTime();
            assertThat(get(port, "/").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

            ferry.terminate();
            assertThat(ferry.awaitExit(Duration.ofSeconds(60))).as(ferry.outputText()).isZero();
        }
    }
}
