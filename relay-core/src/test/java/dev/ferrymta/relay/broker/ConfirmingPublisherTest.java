package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of {@link ConfirmingPublisher} that need no broker; the rest is in {@code ConfirmingPublisherIT}. */
class ConfirmingPublisherTest {

    @Test
    void rejectsFewerThanOneChannel() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConfirmingPublisher(null, 0, 10, Duration.ofSeconds(5)))
                .withMessage("channels must be at least 1, not 0");
    }

    @Test
    void rejectsABoundBelowOne() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConfirmingPublisher(null, 1, -1, Duration.ofSeconds(5)))
                .withMessage("maxInFlight must be at least 1, not -1");
    }

    @Test
    void rejectsATimeoutThatIsNotPositive() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConfirmingPublisher(null, 1, 10, Duration.ZERO))
                .withMessage("confirmTimeout must be positive, not PT0S");
    }

    @Test
    void stampingKeepsTheCallersPropertiesAndHeaders() {
        var callers = new AMQP.BasicProperties.Builder()
                .messageId("m-1").contentType("application/json").deliveryMode(2).priority(3)
                .headers(Map.of("x-attempt", 2))
                .build();

        var stamped = PublishIdHeader.stamp(callers, 42);

        assertThat(stamped.getMessageId()).isEqualTo("m-1");
        assertThat(stamped.getContentType()).isEqualTo("application/json");
        assertThat(stamped.getDeliveryMode()).isEqualTo(2);
        assertThat(stamped.getPriority()).isEqualTo(3);
        assertThat(stamped.getHeaders()).containsEntry("x-attempt", 2).containsEntry(PublishIdHeader.NAME, 42L);
        assertThat(callers.getHeaders()).doesNotContainKey(PublishIdHeader.NAME);
    }

    @Test
    void stampingWorksWithoutProperties() {
        assertThat(PublishIdHeader.read(PublishIdHeader.stamp(null, 7))).hasValue(7);
    }

    @Test
    void stampingReplacesAnIdCopiedFromAnEarlierHop() {
        var republished = new AMQP.BasicProperties.Builder().headers(Map.of(PublishIdHeader.NAME, 3L)).build();

        assertThat(PublishIdHeader.read(PublishIdHeader.stamp(republished, 8))).hasValue(8);
    }

    @Test
    void readsTheIdAsTheBrokerReturnsIt() {
        var asLong = new AMQP.BasicProperties.Builder().headers(Map.of(PublishIdHeader.NAME, 5L)).build();
        var asText = new AMQP.BasicProperties.Builder().headers(Map.of(PublishIdHeader.NAME, LongStringHelper.asLongString("6"))).build();
        var missing = new AMQP.BasicProperties.Builder().headers(Map.of("other", 1)).build();

        assertThat(PublishIdHeader.read(asLong)).hasValue(5);
        assertThat(PublishIdHeader.read(asText)).hasValue(6);
        assertThat(PublishIdHeader.read(missing)).isEmpty();
        assertThat(PublishIdHeader.read(new AMQP.BasicProperties())).isEmpty();
    }

    @Test
    void sweepsOftenEnoughForTheTimeoutButNotBusily() {
        assertThat(ConfirmingPublisher.sweepPeriod(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(10));
        assertThat(ConfirmingPublisher.sweepPeriod(Duration.ofMillis(400))).isEqualTo(Duration.ofMillis(100));
        assertThat(ConfirmingPublisher.sweepPeriod(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aFailureSaysWhyInItsMessage() {
        var failure = new PublishFailedException(Reason.UNROUTABLE, "no queue bound for routing key k on exchange x");

        assertThat(failure).hasMessage("unroutable: no queue bound for routing key k on exchange x");
        assertThat(failure.reason()).isEqualTo(Reason.UNROUTABLE);
    }
}
