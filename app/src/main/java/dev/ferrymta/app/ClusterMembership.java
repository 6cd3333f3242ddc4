package dev.ferrymta.app;

import dev.ferrymta.cluster.ClusterConfig;
import dev.ferrymta.cluster.ClusterIdentity;
import dev.ferrymta.cluster.ClusterNode;
import dev.ferrymta.cluster.Forwarder;
import dev.ferrymta.cluster.ForwardReceiver;
import dev.ferrymta.cluster.Peer;
import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkSlot;
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
    private volatile ForwardReceiver receiver;
    private final LinkSlot forwardLink = new LinkSlot("forward queue consumer", false);

    /** @param queueType {@code rabbitmq-queue-type}: the type of this instance's forward queue */
    ClusterMembership(ClusterConfig config, QueueType queueType, ClusterIdentity identity, CurrentSettings settings, BrokerLink link,
            Clock clock) throws IOException {
        this.node = new ClusterNode(config, queueType, identity, settings, link.connection(), clock);
        node.start();
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

    /** Forwarded messages dropped since start for a missing or wrong signature (0 before receiving starts). */
    long rejectedForwards() {
        var current = receiver;
        return current == null ? 0 : current.rejected();
    }

    /**
     * Starts taking what peers forward here into {@code pipeline}.
     *
     * @param budget the instance's budget of bytes in hand, shared with the outbox consumer
     */
    void receive(BrokerLink link, int prefetch, WatchedConsumer.Handler pipeline, IntakeBudget budget, Clock clock) throws IOException {
        receiver = new ForwardReceiver(link.connection(), node::declareForwardQueue, prefetch, 8, node.signer(), pipeline,
                "ferry-" + node.self().server() + "-forward", budget, clock);
        receiver.start();
        forwardLink.set(receiver.link());
    }

    /** The control queue's consumer, as the health page shows it. */
    Link controlLink() {
        return node.controlLink();
    }

    /** The forward queue's consumer, as the health page shows it (connecting until receiving starts). */
    Link forwardLink() {
        return forwardLink;
    }

    /** Stops receiving, then says goodbye. */
    void stopReceiving() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Override
    public void close() {
        stopReceiving();
        forwarder.close();
        publisher.close();
        node.close();
    }
}
