package dev.ferrymta.relay.outbox;

import java.time.Duration;
import java.util.List;

/**
 * The delay queues that bring a message back to the outbox later: {@code <outbox>.delay.<seconds>},
 * each with one per-queue TTL and the outbox as dead-letter target. Per-queue TTLs, never
 * per-message ones, so a long wait never holds up a short one behind it. A wait longer than the
 * longest tier takes several trips; a message that comes back early is sent round again.
 */
public final class DelayTiers {

    /** From a second to a day: every wait is at most a few trips. */
    static final List<Duration> TIERS = List.of(
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4));

    private final String outbox;

    public DelayTiers(String outbox) {
        this.outbox = outbox;
    }

    /** The outbox the tiers lead back to. */
    public String outbox() {
        return outbox;
    }

    /** The tier a queue name belongs to, when it is one of this outbox's delay queues. */
    public java.util.Optional<Duration> tierOf(String queue) {
        return TIERS.stream().filter(tier -> queue(tier).equals(queue)).findFirst();
    }

    /** Every tier, shortest first. */
    public List<Duration> tiers() {
        return TIERS;
    }

    /** The queue name of a tier. */
    public String queue(Duration tier) {
        return outbox + ".delay." + tier.toSeconds();
    }

    /**
     * The tier for a wait: the longest tier not longer than the wait, so a message never comes
     * back later than asked; the shortest tier for waits shorter than it.
     */
    public Duration tierFor(Duration wait) {
        var chosen = TIERS.getFirst();
        for (var tier : TIERS) {
            if (tier.compareTo(wait) <= 0) {
                chosen = tier;
            }
        }
        return chosen;
    }
}
