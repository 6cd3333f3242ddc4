package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.broker.QueueType;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OutboxTopologyTest {

    static Stream<Arguments> limits() {
        return Stream.of(
                // Unset: RabbitMQ 3 has no limit, RabbitMQ 4 allows 20 returns.
                Arguments.of(null, 3, null),
                Arguments.of(null, 0, null),
                Arguments.of(null, 4, "unset (RabbitMQ 4 then allows 20 returns)"),
                // -1: no limit on RabbitMQ 4, dropped at the first return on RabbitMQ 3.
                Arguments.of(-1, 4, null),
                Arguments.of(-1L, 3, "-1 (RabbitMQ 3 drops a message at its first return)"),
                Arguments.of(20, 4, "20"),
                Arguments.of(1_000_000L, 3, "1000000"),
                Arguments.of(QueueType.DELIVERY_LIMIT, 3, null),
                Arguments.of((long) QueueType.DELIVERY_LIMIT, 4, null),
                Arguments.of(Long.MAX_VALUE, 4, null),
                Arguments.of("twenty", 4, "twenty"));
    }

    @ParameterizedTest(name = "x-delivery-limit {0} on RabbitMQ {1}: {2}")
    @MethodSource("limits")
    void saysWhenAQuorumOutboxsDeliveryLimitCanDropFerrysMessages(Object limit, int brokerMajor, String problem) {
        assertThat(OutboxTopology.deliveryLimitProblem(limit, brokerMajor)).isEqualTo(Optional.ofNullable(problem));
    }
}
