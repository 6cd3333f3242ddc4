package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.LongStringHelper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpHeadersTest {

    @Test
    void readsHeaderValuesOfEveryForm() {
        Map<String, Object> headers = Map.of("s", "x", "l", LongStringHelper.asLongString("y"), "b", "z".getBytes(StandardCharsets.UTF_8),
                "n", 5L, "i", 7, "o", new Object());

        assertThat(AmqpHeaders.text(headers, "s")).contains("x");
        assertThat(AmqpHeaders.text(headers, "l")).contains("y");
        assertThat(AmqpHeaders.text(headers, "b")).contains("z");
        assertThat(AmqpHeaders.text(headers, "n")).contains("5");
        assertThat(AmqpHeaders.text(headers, "i")).contains("7");
        assertThat(AmqpHeaders.text(headers, "o")).isEmpty();
        assertThat(AmqpHeaders.text(headers, "absent")).isEmpty();
        assertThat(AmqpHeaders.text(null, "s")).isEmpty();
    }

    @Test
    void dropsTheDeadLetterHistoryAndTheDeliveryCountAndKeepsTheRest() {
        Map<String, Object> headers = Map.of("x-death", "d", "x-first-death-queue", "q", "x-last-death-reason", "r", "x-keep", "k",
                "x-delivery-count", 3L);

        assertThat(AmqpHeaders.withoutDeathHistory(headers)).containsOnlyKeys("x-keep");
    }

    @Test
    void persistentJsonIsDeliveryModeTwo() {
        var properties = AmqpHeaders.persistentJson(Map.of("a", 1), 3);

        assertThat(properties.getDeliveryMode()).isEqualTo(2);
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getPriority()).isEqualTo(3);
        assertThat(AmqpHeaders.of(properties)).containsEntry("a", 1);
        assertThat(AmqpHeaders.of(null)).isEmpty();
    }
}
