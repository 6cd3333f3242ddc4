package dev.ferrymta.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What is wrong or worth watching in the cluster, as this instance sees it: for {@code /health},
 * {@code /api/status} and the console.
 *
 * @param conflicts     contested source IPs and a server-id announced by another instance; each
 *                      an error to fix
 * @param clocks        the peers whose clocks are off: signed messages from them arrive signed
 *                      this far ahead of (positive) or behind our clock
 * @param forwardQueues every known instance's forward queue, with its depth and state
 * @param replays       copies of forwards that had arrived before, dropped since the start
 * @param refused       forwards ended with a failure result because their signature could not be
 *                      trusted, since the start
 * @param drained       messages taken from departed peers' forward queues since the start
 */
public record ClusterHealth(List<PeerDirectory.Conflict> conflicts, List<ClockOffset> clocks,
        List<OrphanedForwards.ForwardQueue> forwardQueues, long replays, long refused, long drained) {

    /** Nothing known yet (the instance has not joined the cluster). */
    public static final ClusterHealth NONE = new ClusterHealth(List.of(), List.of(), List.of(), 0, 0, 0);

    public ClusterHealth {
        conflicts = List.copyOf(conflicts);
        clocks = List.copyOf(clocks);
        forwardQueues = List.copyOf(forwardQueues);
    }

    /**
     * How far a peer's clock lies from ours, as its last signed message showed (the signing time
     * less the receive time, so transit time counts too).
     *
     * @param server   the peer
     * @param offset   positive: its clock is ahead of ours
     * @param seen     when we received that message
     * @param rejected whether its messages are dropped for it (outside the window of
     *                 {@link MessageSigner#REPLAY_WINDOW})
     */
    public record ClockOffset(String server, Duration offset, Instant seen, boolean rejected) {

        /** One line for the log and the console. */
        public String describe() {
            var amount = Durations.words(offset.abs());
            return "the clock of " + server + " is " + amount + (offset.isNegative() ? " behind" : " ahead of") + " ours"
                    + (rejected ? ": its cluster messages are dropped as outside the window of "
                            + Durations.words(MessageSigner.REPLAY_WINDOW) + "; synchronise the clocks (NTP)" : "");
        }
    }
}
