package dev.ferrymta.relay.broker;

import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * The publish sequence numbers of one channel and the messages waiting for their confirms.
 *
 * <p>After a channel is lost its outstanding confirms never arrive, and once it is recovered or
 * replaced its sequence numbers start again at 1. So the ledger keeps generations: invalidating
 * fails everything in the current one and starts a fresh one, and a confirm only ever settles
 * entries of the generation that is current when it arrives. A confirm for a new channel can
 * therefore never be taken for the confirm of a message sent on the lost one.
 */
final class ConfirmLedger {

    private static final class Generation {
        final ConcurrentSkipListMap<Long, Unconfirmed> bySeqNo = new ConcurrentSkipListMap<>();
        volatile boolean retired;
    }

    private volatile Generation current = new Generation();

    /**
     * Files the message under the sequence number the channel gives its next publish. Call it
     * under the channel's publishing lock, just before the publish.
     *
     * @return false, leaving the message alone, when the channel is not in confirm mode (its
     *         sequence number is 0, as briefly during a recovery) or the ledger was invalidated
     *         meanwhile; the caller fails the message instead of publishing it
     */
    boolean register(Unconfirmed message, LongSupplier nextSeqNo) {
        // The generation is read before the sequence number: a number taken from a recovered
        // channel is then never filed under the generation that was current before the loss.
        var generation = current;
        long seqNo = nextSeqNo.getAsLong();
        if (seqNo <= 0) {
            return false;
        }
        var displaced = generation.bySeqNo.put(seqNo, message);
        if (displaced != null && displaced != message) {
            displaced.fail(new PublishFailedException(Reason.CHANNEL_CLOSED, "its sequence number was reused after a recovery"));
        }
        message.onSettled(() -> generation.bySeqNo.remove(seqNo, message));
        // Paired with invalidate(), which retires before it drains: either the drain sees this
        // entry or this sees the retirement.
        if (generation.retired) {
            generation.bySeqNo.remove(seqNo, message);
            return false;
        }
        return true;
    }

    /** basic.ack; returns how many messages it confirmed. */
    int acked(long deliveryTag, boolean multiple) {
        int confirmed = 0;
        for (var message : take(deliveryTag, multiple)) {
            if (message.confirm()) {
                confirmed++;
            }
        }
        return confirmed;
    }

    /** basic.nack; returns how many messages it failed. */
    int nacked(long deliveryTag, boolean multiple) {
        int failed = 0;
        for (var message : take(deliveryTag, multiple)) {
            if (message.fail(new PublishFailedException(Reason.NACKED, "the broker could not take the message (basic.nack)"))) {
                failed++;
            }
        }
        return failed;
    }

    /** The channel was lost: fails every outstanding message and starts a new generation; returns how many it failed. */
    int invalidate(String why) {
        Generation old;
        synchronized (this) {
            old = current;
            current = new Generation();
        }
        old.retired = true;
        int failed = 0;
        for (var entry = old.bySeqNo.pollFirstEntry(); entry != null; entry = old.bySeqNo.pollFirstEntry()) {
            if (entry.getValue().fail(new PublishFailedException(Reason.CHANNEL_CLOSED, why))) {
                failed++;
            }
        }
        return failed;
    }

    /** Messages of the current generation waiting for a confirm. */
    int outstanding() {
        return current.bySeqNo.size();
    }

    private List<Unconfirmed> take(long deliveryTag, boolean multiple) {
        var generation = current;
        if (!multiple) {
            var message = generation.bySeqNo.remove(deliveryTag);
            return message == null ? List.of() : List.of(message);
        }
        var taken = new ArrayList<Unconfirmed>();
        for (var entry = generation.bySeqNo.firstEntry(); entry != null && entry.getKey() <= deliveryTag;
                entry = generation.bySeqNo.firstEntry()) {
            if (generation.bySeqNo.remove(entry.getKey(), entry.getValue())) {
                taken.add(entry.getValue());
            }
        }
        return taken;
    }
}
