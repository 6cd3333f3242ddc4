package dev.ferrymta.relay.outbox;

import java.util.concurrent.atomic.LongAdder;

/** What the relay did with messages since it started, counted once each when settled. */
public final class RelayCounters {

    final LongAdder received = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder retried = new LongAdder();
    final LongAdder deferred = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder publishFailures = new LongAdder();
    final LongAdder publishRetries = new LongAdder();
    final LongAdder parked = new LongAdder();
    final LongAdder resultsLost = new LongAdder();
    final LongAdder redeliveriesSettled = new LongAdder();
    final LongAdder handedBack = new LongAdder();

    /**
     * A consistent-enough copy (each counter read once).
     *
     * @see Counts
     */
    public Counts snapshot() {
        return new Counts(received.sum(), delivered.sum(), failed.sum(), retried.sum(), deferred.sum(), invalid.sum(),
                forwarded.sum(), publishFailures.sum(), publishRetries.sum(), parked.sum(), resultsLost.sum(),
                redeliveriesSettled.sum(), handedBack.sum());
    }

    /**
     * @param received        outbox messages taken
     * @param delivered       accepted by the receiving server (success results)
     * @param failed          failed for good: permanent replies, limits reached, invalid messages (failure results)
     * @param retried         failed for now and sent back for a later attempt
     * @param deferred        not attempted yet (paused or full lane) and sent back for later
     * @param invalid         not valid messages (part of failed)
     * @param forwarded       handed to the instance owning the IP they need
     * @param publishFailures     publishes (results, retry copies) the broker refused or did not confirm, every try counted
     * @param publishRetries      refused publishes tried again after a wait
     * @param parked              results and retry copies parked in {@code <outbox>.parked} because their queue refused them
     * @param resultsLost         results that could be stored neither in their queue nor in the parking queue (too large)
     * @param redeliveriesSettled messages the broker handed out again after a lost channel, settled with the outcome of
     *                            their attempt instead of being delivered twice
     * @param handedBack          messages handed back to the outbox: not attempted, their replacement not stored in time,
     *                            or their handling failed
     */
    public record Counts(long received, long delivered, long failed, long retried, long deferred, long invalid, long forwarded,
            long publishFailures, long publishRetries, long parked, long resultsLost, long redeliveriesSettled, long handedBack) {
    }
}
