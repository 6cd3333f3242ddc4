package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.WatchedConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Knows again an outbox message that was attempted over SMTP and whose delivery could not be
 * acked (the consumer's channel was lost during the attempt, or while its outcome was being
 * stored): when the broker hands it out again, marked redelivered, it is matched by the SHA-256 of
 * its body and settled with the outcome already known instead of being delivered twice. Only such
 * messages are remembered (a few per lost channel), for at most {@link #KEEP}, at most
 * {@link #CAPACITY} of them. Thread-safe.
 */
final class RedeliveryGuard {

    /** How long a message is remembered: well past any reconnect. */
    static final Duration KEEP = Duration.ofHours(1);

    /** How many are remembered at most; the oldest go first. */
    static final int CAPACITY = 100_000;

    private record Entry(Settlement settlement, Instant at) {
    }

    private final Clock clock;
    private final LinkedHashMap<String, ArrayDeque<Entry>> entries = new LinkedHashMap<>();
    private int size;

    RedeliveryGuard(Clock clock) {
        this.clock = clock;
    }

    /** Remembers that {@code message}'s outcome is (or will be) known by {@code settlement}. */
    void remember(InboundMessage message, Settlement settlement) {
        if (!settlement.remember()) {
            return;
        }
        var key = WatchedConsumer.digest(message.body());
        synchronized (this) {
            expire();
            entries.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(new Entry(settlement, clock.instant()));
            size++;
            while (size > CAPACITY) {
                dropOldest();
            }
        }
    }

    /**
     * The settlement of an earlier delivery of {@code message}, when it is a redelivery of one
     * remembered; taken, so each remembered delivery matches once.
     */
    Optional<Settlement> claim(InboundMessage message) {
        if (!message.redelivered()) {
            return Optional.empty();
        }
        synchronized (this) {
            if (size == 0) {
                return Optional.empty();
            }
        }
        var key = WatchedConsumer.digest(message.body());
        synchronized (this) {
            expire();
            var queue = entries.get(key);
            if (queue == null) {
                return Optional.empty();
            }
            var entry = queue.pollFirst();
            size--;
            if (queue.isEmpty()) {
                entries.remove(key);
            }
            return Optional.of(entry.settlement());
        }
    }

    /** How many deliveries are remembered now. */
    synchronized int size() {
        return size;
    }

    private void expire() {
        var oldest = clock.instant().minus(KEEP);
        Iterator<ArrayDeque<Entry>> it = entries.values().iterator();
        while (it.hasNext()) {
            var queue = it.next();
            while (!queue.isEmpty() && queue.peekFirst().at().isBefore(oldest)) {
                queue.pollFirst();
                size--;
            }
            if (queue.isEmpty()) {
                it.remove();
            } else {
                return; // insertion order: the rest are newer
            }
        }
    }

    private void dropOldest() {
        var it = entries.values().iterator();
        if (!it.hasNext()) {
            size = 0;
            return;
        }
        var queue = it.next();
        queue.pollFirst();
        size--;
        if (queue.isEmpty()) {
            it.remove();
        }
    }
}
