package dev.ferrymta.app;

import dev.ferrymta.cluster.ClusterConfig;
import dev.ferrymta.cluster.ClusterIdentity;
import dev.ferrymta.cluster.ClusterNode;
import dev.ferrymta.cluster.Forwarder;
import dev.ferrymta.cluster.ClusterHealth;
import dev.ferrymta.cluster.ForwardReceiver;
import dev.ferrymta.cluster.OrphanedForwards;
import dev.ferrymta.cluster.Peer;
import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkSlot;
import dev.ferrymta.relay.outbox.Intake;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The instance's part in the cluster, wired: the node (membership, resets), the forwarder the
 * relay hands foreign-IP messages to, and the receiver of what peers forward here, all over the
 * connection to {@code cluster-address}. Closed in the reverse order.
 */
final class ClusterMembership implements AutoCloseable {

    /** How long a forward is retried through broker trouble before the message is retried later instead. */
    static final Duration FORWARD_PATIENCE = Duration.ofMinutes(5);

    private final ClusterNode node;
    private final ConfirmingPublisher publisher;
    private final Forwarder forwarder;
    private final ForwardReceiver receiver;
    private volatile OrphanedForwards orphans;
    private final ClusterConfig config;
    private final Clock clock;
    private final LinkSlot forwardLink = new LinkSlot("forward queue consumer", false);

    /**
     * Joins the cluster: claims this server-id's forward queue (an exclusive consumer), then
     * announces. Forwards that arrive wait until {@link #receive} hands them a pipeline.
     *
     * @param queueType {@code rabbitmq-queue-type}: the type of this instance's forward queue
     * @param budget    the instance's budget of bytes in hand, shared with the outbox consumer
     * @throws IOException when another running instance has this server-id (its forward queue
     *                     stays held), or the broker refuses
     */
    ClusterMembership(ClusterConfig config, QueueType queueType, ClusterIdentity identity, CurrentSettings settings, BrokerLink link,
            int prefetch, IntakeBudget budget, Clock clock) throws IOException {
        this.config = config;
        this.clock = clock;
        this.node = new ClusterNode(config, queueType, identity, settings, link.connection(), clock);
        var queue = ClusterNode.forwardQueue(config.exchange(), node.self().server());
        // A live instance that drained this queue while we were away lets go within an interval of
        // hearing us; the peer expiry plus two intervals leaves room for that.
        var claimWait = config.timeout().plus(config.interval().multipliedBy(2));
        this.receiver = new ForwardReceiver(link.connection(), node::declareForwardQueue, queue, prefetch, 8, node.signer(),
                "ferry-" + node.self().server() + "-forward", budget, clock, claimWait);
        var joined = new boolean[1];
        try {
            receiver.start(() -> {
                // Held by another consumer: join now, so an instance draining the queue hears us and lets go.
                joined[0] = true;
                node.start();
            });
            if (!joined[0]) {
                node.start();
            }
        } catch (IOException | RuntimeException e) {
            // Say goodbye if we said hello: the peers forget this incarnation at once.
            node.close();
            throw e;
        }
        forwardLink.set(receiver.link());
        this.publisher = new ConfirmingPublisher(link.connection(), 2, 10_000, Duration.ofSeconds(60));
        this.forwarder = new Forwarder(node, publisher, config.exchange(), FORWARD_PATIENCE, clock);
    }

    /** Tells every instance that settings version {@code version} is committed. */
    void broadcastReset(long version) {
        node.broadcastReset(version);
    }

    /** The other live instances, as last announced. */
    List<Peer> peers() {
        return node.directory().live();
    }

    Forwarder forwarder() {
        return forwarder;
    }

    /** Cluster control messages dropped since start: malformed, unsigned or wrongly signed. */
    long rejectedControl() {
        return node.rejected();
    }

    /**
     * Forwarded messages not taken since start for a missing, wrong or expired signature: dropped
     * when not a message, else ended with a failure result (0 before receiving starts).
     */
    long rejectedForwards() {
        return receiver.rejected() + receiver.refused();
    }

    /**
     * Starts taking what peers forward here into {@code pipeline}, and draining the forward queues
     * of peers gone for {@code cluster-orphan-after} into {@code drain}.
     */
    void receive(BrokerLink link, Intake pipeline, Intake drain) {
        receiver.deliverTo(pipeline);
        orphans = new OrphanedForwards(link.connection(), node.directory(), config, node.self().server(), node.signer(), drain, clock);
        node.watchForwardQueues(orphans, () -> new ClusterNode.ForwardCounts(receiver.replayed(), receiver.refused()));
    }

    /** Conflicts, clocks and forward queues, for the health page and the console. */
    ClusterHealth health() {
        return node.health();
    }

    /** The control queue's consumer, as the health page shows it. */
    Link controlLink() {
        return node.controlLink();
    }

    /** The forward queue's consumer, as the health page shows it (connecting until receiving starts). */
    Link forwardLink() {
        return forwardLink;
    }

    /** Stops receiving and draining; what is in hand is still settled. */
    void stopReceiving() {
        if (orphans != null) {
            orphans.stopDraining();
        }
        receiver.close();
    }

    @Override
    public void close() {
        stopReceiving();
        if (orphans != null) {
            orphans.close();
        }
        forwarder.close();
        publisher.close();
        node.close();
    }
}
