package dev.ferrymta.relay.delivery;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All delivery lanes of the instance, one per (source IP, destination domain), made on first use
 * and forgotten when idle. A lane that is full or paused turns a message away at once, so waiting
 * on one domain's throttle never holds up another domain.
 */
public final class Lanes {

    private final LaneContext context;
    private final ConcurrentHashMap<LaneKey, DeliveryLane> lanes = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public Lanes(LaneContext context) {
        this.context = context;
        context.settings().onChange(settings -> lanes.values().forEach(DeliveryLane::settingsChanged));
    }

    /** Hands a message to its lane. */
    public Admission offer(LaneKey key, DeliveryJob job) {
        if (stopping) {
            return new Admission.Deferred(context.clock().instant(), "the relay is stopping");
        }
        var admission = new Admission[1];
        // compute() holds the key's bin: a lane is never forgotten while a message is being added.
        lanes.compute(key, (k, lane) -> {
            var target = lane != null ? lane : new DeliveryLane(k, context);
            admission[0] = target.offer(job);
            return target;
        });
        return admission[0];
    }

    /** Forgets lanes with neither messages nor connections; called now and then. */
    public void sweep() {
        for (var key : lanes.keySet()) {
            lanes.computeIfPresent(key, (k, lane) -> lane.isIdle() ? null : lane);
        }
    }

    /** Every lane, busiest (most waiting, then most connections) first. */
    public List<LaneStatus> status() {
        return lanes.values().stream().map(DeliveryLane::status)
                .sorted(Comparator.comparingInt(LaneStatus::depth).thenComparingInt(LaneStatus::connections).reversed())
                .toList();
    }

    /**
     * Stops: messages not started are handed back, attempts under way finish until the deadline.
     *
     * @return whether every lane ended in time
     */
    public boolean stop(Instant deadline) throws InterruptedException {
        stopping = true;
        lanes.values().forEach(DeliveryLane::stop);
        boolean all = true;
        for (var lane : lanes.values()) {
            all &= lane.awaitStopped(deadline);
        }
        return all;
    }
}
