package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.PublishFailedException;
import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.testing.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The settle rule, step by step with a controlled clock and a hand-run timer: what the broker
 * refuses is retried, parked or replaced, never a reason to hand an attempted message back.
 */
class SettlerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** The broker as the settler sees it: answers per queue, in order, then confirms. */
    private final Map<String, Deque<Reason>> refusals = new HashMap<>();
    private final List<Publish> sent = new ArrayList<>();
    private final Deque<Runnable> later = new ArrayDeque<>();
    private final List<Duration> waits = new ArrayList<>();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T12:00:00Z"));
    private final RelayCounters counters = new RelayCounters();
    private final PublishProblems problems = new PublishProblems(clock);
    private final RedeliveryGuard guard = new RedeliveryGuard(clock);
    private final Settler settler = new Settler(this::send, this::park, problems, guard, (wait, task) -> {
        waits.add(wait);
        later.add(task);
    }, clock, PATIENCE, counters, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0L));

    private CompletableFuture<Void> send(Publish publish) {
        sent.add(publish);
        var next = refusals.getOrDefault(publish.queue(), new ArrayDeque<>()).poll();
        return next == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new PublishFailedException(next, "test refusal " + next.label()));
    }

    private Publish park(Publish refused, String reason) {
        var headers = new HashMap<String, Object>();
        headers.put(ResultPublisher.PARKED_FOR, refused.queue());
        headers.put(ResultPublisher.PARKED_REASON, reason);
        return new Publish("outbox.parked", AmqpHeaders.persistentJson(headers, null), refused.body(), Publish.Role.RESULT);
    }

    private void refuse(String queue, Reason... reasons) {
        refusals.computeIfAbsent(queue, q -> new ArrayDeque<>()).addAll(List.of(reasons));
    }

    /** Runs the retries due, moving the clock by each one's wait. */
    private void runRetries() {
        while (!later.isEmpty()) {
            clock.advance(waits.get(waits.size() - later.size()));
            later.poll().run();
        }
    }

    /** A delivery whose acks and requeues are recorded. */
    private static final class Delivery implements InboundMessage.Acknowledger {
        final List<String> settled = new ArrayList<>();
        boolean open = true;

        @Override
        public void ack(long deliveryTag) {
            settled.add("ack " + deliveryTag);
        }

        @Override
        public void requeue(long deliveryTag) {
            settled.add("requeue " + deliveryTag);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        InboundMessage message(long tag, boolean redelivered) {
            return new InboundMessage(this, tag, "{\"recipient\":\"a@b.test\"}".getBytes(), null, redelivered, () -> {
            });
        }
    }

    private static Publish result(String queue) {
        return new Publish(queue, AmqpHeaders.persistentJson(null, null), ("result for " + queue).getBytes(), Publish.Role.RESULT);
    }

    private static Publish copy(String queue) {
        return new Publish(queue, AmqpHeaders.persistentJson(null, null), "copy".getBytes(), Publish.Role.COPY);
    }

    private Settlement attempted(InboundMessage inbound) {
        var settlement = settler.open(inbound);
        settler.attempting(settlement);
        return settlement;
    }

    @Test
    void acksOnceEverythingIsConfirmed() {
        var delivery = new Delivery();
        var stored = new ArrayList<String>();

        settler.settle(attempted(delivery.message(1, false)), List.of(result("results"), result("success")), r -> List.of(),
                () -> stored.add("stored"));

        assertThat(delivery.settled).containsExactly("ack 1");
        assertThat(stored).containsExactly("stored");
        assertThat(sent).extracting(Publish::queue).containsExactly("results", "success");
    }

    @Test
    void aNackedResultIsPublishedAgainWithGrowingWaitsAndOnlyItIsRepeated() {
        refuse("results", Reason.NACKED, Reason.NACKED, Reason.TIMED_OUT);
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(result("results"), result("success")), r -> List.of(), () -> {
        });

        assertThat(delivery.settled).isEmpty();
        assertThat(problems.current()).extracting(PublishProblems.Problem::queue).containsExactly("results");
        runRetries();
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(sent).extracting(Publish::queue).containsExactly("results", "success", "results", "results", "results");
        assertThat(delivery.settled).containsExactly("ack 1");
        assertThat(problems.current()).isEmpty();
        assertThat(counters.snapshot().publishRetries()).isEqualTo(3);
    }

    @Test
    void aResultStillRefusedAfterThePatienceIsParkedAndTheMessageAcked() {
        refuse("results", java.util.Collections.nCopies(20, Reason.NACKED).toArray(Reason[]::new));
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(result("results")), r -> List.of(), () -> {
        });
        runRetries();

        var parked = sent.getLast();
        assertThat(parked.queue()).isEqualTo("outbox.parked");
        assertThat(AmqpHeaders.of(parked.properties())).containsEntry(ResultPublisher.PARKED_FOR, "results");
        assertThat(new String(parked.body())).isEqualTo("result for results");
        assertThat(delivery.settled).containsExactly("ack 1");
        assertThat(counters.snapshot().parked()).isEqualTo(1);
        // 1 + 2 + 4 + 8 + 16 + 30 s of waits fit in the minute's patience; the next would not.
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16));
    }

    @Test
    void aResultLargerThanTheBrokerTakesIsParkedAtOnce() {
        refuse("results", Reason.TOO_LARGE);
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(result("results")), r -> List.of(), () -> {
        });

        assertThat(waits).isEmpty();
        assertThat(sent).extracting(Publish::queue).containsExactly("results", "outbox.parked");
        assertThat(delivery.settled).containsExactly("ack 1");
    }

    @Test
    void aResultTooLargeEvenToParkIsCountedAsLostAndTheMessageStillAcked() {
        refuse("results", Reason.TOO_LARGE);
        refuse("outbox.parked", Reason.TOO_LARGE);
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(result("results")), r -> List.of(), () -> {
        });

        assertThat(delivery.settled).containsExactly("ack 1");
        assertThat(counters.snapshot().resultsLost()).isEqualTo(1);
    }

    @Test
    void aRetryCopyThatCanNeverBeStoredIsReplacedByTheFailureResults() {
        refuse("outbox.delay.60", Reason.TOO_LARGE);
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(copy("outbox.delay.60"), result("results")),
                reason -> List.of(result("failure:" + reason)), () -> {
                });

        assertThat(sent).extracting(Publish::queue)
                .containsExactly("outbox.delay.60", "failure:too large: test refusal too large", "results");
        assertThat(delivery.settled).containsExactly("ack 1");
    }

    @Test
    void anUnattemptedMessageWhoseCopyCannotBeStoredInTimeIsHandedBackOnce() {
        refuse("outbox.delay.5", java.util.Collections.nCopies(20, Reason.CHANNEL_CLOSED).toArray(Reason[]::new));
        var delivery = new Delivery();

        settler.settle(settler.open(delivery.message(1, false)), List.of(copy("outbox.delay.5")), r -> List.of(), () -> {
        });
        assertThat(delivery.settled).isEmpty();
        runRetries();

        assertThat(delivery.settled).containsExactly("requeue 1");
        assertThat(sent).noneMatch(p -> p.queue().equals("outbox.parked"));
    }

    @Test
    void anAttemptedMessageWhoseRetryCopyCannotBeStoredInTimeIsParkedNotHandedBack() {
        refuse("outbox.delay.5", java.util.Collections.nCopies(20, Reason.NACKED).toArray(Reason[]::new));
        var delivery = new Delivery();

        settler.settle(attempted(delivery.message(1, false)), List.of(copy("outbox.delay.5")), r -> List.of(), () -> {
        });
        runRetries();

        assertThat(sent.getLast().queue()).isEqualTo("outbox.parked");
        assertThat(delivery.settled).containsExactly("ack 1");
    }

    @Test
    void aRedeliveryOfAnAttemptedMessageWhoseChannelWasLostIsAckedNotSentAgain() {
        var first = new Delivery();
        var original = first.message(1, false);
        var settlement = attempted(original);
        original.lost(); // the consumer's channel went away during the SMTP transaction
        first.open = false;
        refuse("results", Reason.CHANNEL_CLOSED);
        settler.settle(settlement, List.of(result("results")), r -> List.of(), () -> {
        });

        var second = new Delivery();
        var redelivered = second.message(7, true);
        assertThat(settler.settleRedelivery(redelivered)).isTrue();
        assertThat(second.settled).isEmpty(); // acked only once the outcome is stored
        runRetries();

        assertThat(second.settled).containsExactly("ack 7");
        assertThat(first.settled).isEmpty();
        assertThat(counters.snapshot().redeliveriesSettled()).isEqualTo(1);
    }

    @Test
    void aRedeliveryAfterTheOutcomeWasStoredIsAckedAtOnce() {
        var first = new Delivery();
        var original = first.message(1, false);
        var settlement = attempted(original);
        original.lost();
        settler.settle(settlement, List.of(result("results")), r -> List.of(), () -> {
        });

        var second = new Delivery();
        assertThat(settler.settleRedelivery(second.message(2, true))).isTrue();
        assertThat(second.settled).containsExactly("ack 2");
        // Each lost delivery matches once: a third copy is a new message.
        assertThat(settler.settleRedelivery(new Delivery().message(3, true))).isFalse();
    }

    @Test
    void aMessageNotMarkedRedeliveredOrNeverAttemptedIsNotMatched() {
        var first = new Delivery();
        var original = first.message(1, false);
        var untried = settler.open(original);
        original.lost();
        settler.settle(untried, List.of(result("results")), r -> List.of(), () -> {
        });

        assertThat(settler.settleRedelivery(new Delivery().message(2, true))).isFalse();
        assertThat(settler.settleRedelivery(new Delivery().message(3, false))).isFalse();
    }

    @Test
    void aClosedPublisherHandsTheMessageBackToTheBroker() {
        refuse("results", Reason.CLOSED);
        var delivery = new Delivery();

        settler.settle(settler.open(delivery.message(1, false)), List.of(result("results")), r -> List.of(), () -> {
        });

        assertThat(delivery.settled).containsExactly("requeue 1");
    }
}
