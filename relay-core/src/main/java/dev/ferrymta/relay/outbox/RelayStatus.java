package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.delivery.LaneStatus;
import java.util.List;

/**
 * What the relay is doing now, for the console.
 *
 * @param counts      totals since start
 * @param connections open SMTP connections
 * @param waiting     messages waiting in lanes
 * @param unsettled   outbox messages taken and not yet acked or handed back
 * @param prefetch    the outbox consumers' prefetch together now: the most outbox messages the broker hands
 *                    out unacked, at most {@code rabbitmq-consumers} × {@code rabbitmq-qos}, less while
 *                    messages are large ({@link dev.ferrymta.relay.broker.PrefetchWindow})
 * @param lanes       every lane, busiest first
 * @param refusing    the queues the broker refuses publishes to now, with the reason
 */
public record RelayStatus(RelayCounters.Counts counts, int connections, int waiting, int unsettled, int prefetch, List<LaneStatus> lanes,
        List<PublishProblems.Problem> refusing) {

    public RelayStatus {
        lanes = List.copyOf(lanes);
        refusing = List.copyOf(refusing);
    }
}
