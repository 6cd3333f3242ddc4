package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The arguments of every kind of queue Ferry declares, per queue type: what RabbitMQ compares on every declare. */
class QueueTypeTest {

    /** A kind of queue and how its arguments are made. */
    private enum Kind {
        /** The outbox without priorities, the parking queue, the result queues, the forward queues. */
        PLAIN {
            @Override
            Map<String, Object> arguments(QueueType type) {
                return type.durable();
            }
        },
        /** A delay tier of 15 s leading back to "outbox". */
        DELAY {
            @Override
            Map<String, Object> arguments(QueueType type) {
                return type.delay(Duration.ofSeconds(15), "outbox");
            }
        },
        /** A priority outbox, rabbitmq-maxpriority 10. */
        PRIORITY {
            @Override
            Map<String, Object> arguments(QueueType type) {
                return type.priority(10);
            }
        };

        abstract Map<String, Object> arguments(QueueType type);
    }

    static Stream<Arguments> declarations() {
        return Stream.of(
                Arguments.of(Kind.PLAIN, QueueType.CLASSIC, Map.of("x-queue-type", "classic")),
                Arguments.of(Kind.PLAIN, QueueType.QUORUM, Map.of("x-queue-type", "quorum", "x-delivery-limit", Integer.MAX_VALUE)),
                Arguments.of(Kind.DELAY, QueueType.CLASSIC, Map.of("x-queue-type", "classic", "x-message-ttl", 15_000L,
                        "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "outbox")),
                Arguments.of(Kind.DELAY, QueueType.QUORUM, Map.of("x-queue-type", "quorum", "x-delivery-limit", Integer.MAX_VALUE,
                        "x-message-ttl", 15_000L, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "outbox",
                        "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish")),
                Arguments.of(Kind.PRIORITY, QueueType.CLASSIC, Map.of("x-queue-type", "classic", "x-max-priority", 10)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("declarations")
    void declaresEachKindOfQueueWithTheArgumentsOfItsType(Kind kind, QueueType type, Map<String, Object> expected) {
        var arguments = kind.arguments(type);

        assertThat(arguments).containsExactlyInAnyOrderEntriesOf(expected);
        // The same Java types every time: the TTL was always sent as a long, the delivery limit fits a signed int.
        expected.forEach((name, value) -> assertThat(arguments.get(name)).as(name).isExactlyInstanceOf(value.getClass()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("declarations")
    void eachCallGivesAMapOfItsOwn(Kind kind, QueueType type, Map<String, Object> expected) {
        kind.arguments(type).put("x-changed", true);

        assertThat(kind.arguments(type)).doesNotContainKey("x-changed");
    }

    @Test
    void aQuorumQueueHasNoPriorities() {
        assertThatThrownBy(() -> QueueType.QUORUM.priority(10)).isInstanceOf(IllegalStateException.class)
                .hasMessage("quorum queues have no x-max-priority");
    }

    @Test
    void refusesATtlBelowAMillisecondAndAPriorityOutOfRange() {
        assertThatThrownBy(() -> QueueType.CLASSIC.delay(Duration.ofNanos(10), "outbox")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QueueType.CLASSIC.priority(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QueueType.CLASSIC.priority(256)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"classic, CLASSIC", "quorum, QUORUM"})
    void isNamedAsRabbitMqNamesIt(String name, QueueType type) {
        assertThat(QueueType.named(name)).contains(type);
        assertThat(type.argument()).isEqualTo(name);
        assertThat(type).hasToString(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Quorum", "stream", "mirrored", ""})
    void namesNoOtherType(String name) {
        assertThat(QueueType.named(name)).isEmpty();
    }
}
