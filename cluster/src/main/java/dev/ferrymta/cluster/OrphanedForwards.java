package dev.ferrymta.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.broker.AckWriter;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.relay.outbox.Intake;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every instance's forward queue, and drains the queues of instances that are gone
 * (docs/ARCHITECTURE.md, "The cluster"). Once a peer has been silent for {@code cluster-orphan-after},
 * what waits in its forward queue is orphaned: nobody would consume it. A live instance then
 * consumes that queue exclusively (so only one instance drains it) and hands each message to the
 * relay as if it came from the outbox: delivered here when the IP is ours, forwarded when a live
 * peer owns it, otherwise a temporary failure that is retried and, when its time runs out, failed
 * with a result. A forward that cannot be trusted (see {@link ForwardReceiver}) ends in a failure
 * result. Once the queue is empty it is unbound, so nothing new arrives, and deleted a
 * {@code cluster-interval} later if it is still empty and has no other consumer (quorum queues
 * refuse the broker's own if-empty and if-unused checks on delete). When the owner announces
 * again, draining stops, the binding is restored, and the owner gets its queue back.
 *
 * <p>{@link #tick()} runs every {@code cluster-interval}: it also reads the depth of each known
 * forward queue for the console.
 */
public final class OrphanedForwards implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrphanedForwards.class);

    /** Messages in hand per drained queue. */
    static final int DRAIN_PREFETCH = 50;

    /** Headers of a forward that must not follow a drained message back into the pipeline. */
    private static final Set<String> FORWARD_HEADERS = Set.of(Forwarder.ORIGIN, Forwarder.HOPS, MessageSigner.SENDER,
            MessageSigner.TYPE, MessageSigner.SIGNED_AT, MessageSigner.SIGNATURE, MessageSigner.ID);

    /**
     * A forward queue as the console shows it.
     *
     * @param server       the instance it belongs to
     * @param queue        its name
     * @param depth        messages in it at the last look; empty when it could not be read
     * @param state        {@code live} (its owner consumes it), {@code departed} (its owner is
     *                     gone, for less than {@code cluster-orphan-after}), {@code draining} (this
     *                     instance drains it), {@code held elsewhere} (another consumer holds it:
     *                     another instance drains it)
     * @param silentSince  when its owner was last heard of, for departed owners
     */
    public record ForwardQueue(String server, String queue, OptionalLong depth, String state, Optional<Instant> silentSince) {
    }

    private final Connection connection;
    private final PeerDirectory directory;
    private final ClusterConfig config;
    private final ServerId self;
    private final MessageSigner signer;
    private final Intake pipeline;
    private final Clock clock;
    private final Map<ServerId, Drain> drains = new ConcurrentHashMap<>();
    private final Map<String, Long> depths = new ConcurrentHashMap<>();
    private final Set<ServerId> heldElsewhere = ConcurrentHashMap.newKeySet();
    private final LongAdder drained = new LongAdder();
    private final FloodGuard refusedLog;
    private Channel probe;
    private volatile boolean stopped;

    /**
     * @param connection the cluster broker's connection
     * @param pipeline   the relay's way in for drained messages ({@code Relay.drainHandler()})
     */
    public OrphanedForwards(Connection connection, PeerDirectory directory, ClusterConfig config, ServerId self, MessageSigner signer,
            Intake pipeline, Clock clock) {
        this.connection = connection;
        this.directory = directory;
        this.config = config;
        this.self = self;
        this.signer = signer;
        this.pipeline = pipeline;
        this.clock = clock;
        this.refusedLog = FloodGuard.standard(clock);
    }

    /** Messages taken from departed peers' forward queues since the start. */
    public long drained() {
        return drained.sum();
    }

    /**
     * This instance's forward queue, each live peer's, and each departed peer's, with their depths
     * at the last {@link #tick()}, by server id.
     */
    public List<ForwardQueue> queues() {
        var now = clock.instant();
        var all = new ArrayList<ForwardQueue>();
        all.add(queue(self, "live", Optional.empty()));
        for (var peer : directory.live()) {
            all.add(queue(peer.server(), "live", Optional.empty()));
        }
        for (var peer : directory.departed()) {
            var state = drains.containsKey(peer.server()) ? "draining"
                    : heldElsewhere.contains(peer.server()) ? "held elsewhere"
                    : orphaned(peer, now) ? "orphaned" : "departed";
            all.add(queue(peer.server(), state, Optional.of(peer.lastSeen())));
        }
        all.sort(Comparator.comparing(ForwardQueue::server));
        return List.copyOf(all);
    }

    private ForwardQueue queue(ServerId server, String state, Optional<Instant> silentSince) {
        var name = ClusterNode.forwardQueue(config.exchange(), server);
        var depth = depths.get(name);
        return new ForwardQueue(server.value(), name, depth == null ? OptionalLong.empty() : OptionalLong.of(depth), state, silentSince);
    }

    private boolean orphaned(Peer peer, Instant now) {
        return !now.isBefore(peer.lastSeen().plus(config.orphanAfter()));
    }

    /**
     * Reads the depths, starts draining the queues of peers gone for {@code cluster-orphan-after},
     * stops draining those whose owner is back, and deletes drained queues once empty. Never throws.
     */
    public synchronized void tick() {
        if (stopped || !connection.isOpen()) {
            return;
        }
        var now = clock.instant();
        depth(self);
        directory.live().forEach(peer -> depth(peer.server()));
        // A drain whose channel or consumer went (a lost connection, a broker cancel) starts again below.
        for (var drain : List.copyOf(drains.values())) {
            if (drain.gone) {
                drains.remove(drain.server);
                abort(drain.channel);
                log.info("cluster: the drain of '{}' was interrupted ({}); it starts again", drain.queue, drain.why);
            }
        }
        // Owners that came back get their queues back.
        for (var drain : List.copyOf(drains.values())) {
            if (directory.find(drain.server).isPresent()) {
                log.info("cluster: {} is back; it gets its forward queue back ({} messages were drained here)", drain.server,
                        drain.taken.sum());
                drain.cancel();
                drains.remove(drain.server);
                drain.closeWhenSettled();
                if (unbound.remove(drain.server) != null) {
                    bind(drain.server);
                }
            }
        }
        for (var peer : directory.departed()) {
            var depth = depth(peer.server());
            if (depth.isEmpty() || !orphaned(peer, now)) {
                continue;
            }
            var drain = drains.get(peer.server());
            if (drain == null) {
                if (depth.getAsLong() > 0 || !unbound.containsKey(peer.server())) {
                    start(peer, depth.getAsLong());
                }
                continue;
            }
            if (depth.getAsLong() > 0 || !drain.inHand.isEmpty()) {
                continue;
            }
            // Empty. First unbind it, so nothing new can arrive (a late forward comes back unroutable
            // to its sender, which retries it); a tick later, still empty, delete it. Quorum queues
            // refuse a delete with if-empty or if-unused, so the delete itself checks nothing.
            var since = unbound.get(peer.server());
            if (since == null) {
                unbind(peer.server());
            } else if (!now.isBefore(since.plus(config.interval()))) {
                drain.cancel();
                drains.remove(peer.server());
                drain.closeWhenSettled();
                delete(peer);
            }
        }
        for (var drain : List.copyOf(lingering)) {
            if (drain.inHand.isEmpty()) {
                abort(drain.channel);
                lingering.remove(drain);
            }
        }
    }

    /** Servers whose forward queue this instance unbound (empty, about to be deleted), and when. */
    private final Map<ServerId, Instant> unbound = new ConcurrentHashMap<>();

    private void unbind(ServerId server) {
        var queue = ClusterNode.forwardQueue(config.exchange(), server);
        try {
            probe().queueUnbind(queue, config.exchange(), ClusterNode.forwardKey(server));
            unbound.put(server, clock.instant());
            log.info("cluster: the forward queue '{}' of {} is drained; unbound, to be deleted if it stays empty", queue, server);
        } catch (IOException | RuntimeException e) {
            log.debug("cluster: unbinding '{}' failed: {}", queue, ConnectLoop.reason(e));
        }
    }

    private void bind(ServerId server) {
        var queue = ClusterNode.forwardQueue(config.exchange(), server);
        try {
            probe().queueBind(queue, config.exchange(), ClusterNode.forwardKey(server));
        } catch (IOException | RuntimeException e) {
            // Its owner binds it again itself whenever its consumer subscribes.
            log.debug("cluster: binding '{}' again failed: {}", queue, ConnectLoop.reason(e));
        }
    }

    /** The depth of a server's forward queue now; empty when it does not exist (forgotten) or cannot be read. */
    private OptionalLong depth(ServerId server) {
        var queue = ClusterNode.forwardQueue(config.exchange(), server);
        try {
            long count = probe().queueDeclarePassive(queue).getMessageCount();
            depths.put(queue, count);
            return OptionalLong.of(count);
        } catch (IOException | RuntimeException e) {
            depths.remove(queue);
            if (QueueArguments.brokerReason(e).contains("NOT_FOUND") && directory.find(server).isEmpty()) {
                // A departed peer's queue that does not exist (deleted, or never made): nothing to drain.
                directory.forget(server);
            }
            return OptionalLong.empty();
        }
    }

    private void start(Peer peer, long depth) {
        var queue = ClusterNode.forwardQueue(config.exchange(), peer.server());
        Channel channel = null;
        try {
            channel = connection.createChannel();
            channel.basicQos(DRAIN_PREFETCH);
            var drain = new Drain(peer.server(), queue, channel);
            channel.basicConsume(queue, false, "ferry-" + self + "-drain-" + peer.server(), false, true, null, drain.consumer());
            drains.put(peer.server(), drain);
            heldElsewhere.remove(peer.server());
            log.warn("cluster: {} has been gone since {} (more than cluster-orphan-after, {}); draining its forward queue '{}' "
                    + "({} messages) through this instance", peer.server(), peer.lastSeen(), Durations.words(config.orphanAfter()),
                    queue, depth);
        } catch (IOException | RuntimeException e) {
            abort(channel);
            if (WatchedConsumer.refusedAsInExclusiveUse(e)) {
                if (heldElsewhere.add(peer.server())) {
                    log.info("cluster: the forward queue of {} is held by another consumer (another instance drains it)", peer.server());
                }
            } else {
                log.warn("cluster: draining the forward queue of {} failed: {}", peer.server(), ConnectLoop.reason(e));
            }
        }
    }

    /** Deletes a drained, unbound forward queue that is still empty and has no consumer. */
    private void delete(Peer peer) {
        var queue = ClusterNode.forwardQueue(config.exchange(), peer.server());
        try {
            var state = probe().queueDeclarePassive(queue);
            if (state.getMessageCount() > 0 || state.getConsumerCount() > 0) {
                // Someone put a message in or consumes it (its owner, back): looked at again next time.
                return;
            }
            probe().queueDelete(queue);
            depths.remove(queue);
            unbound.remove(peer.server());
            directory.forget(peer.server());
            heldElsewhere.remove(peer.server());
            log.info("cluster: deleted the empty forward queue '{}' of {}, gone since {}", queue, peer.server(), peer.lastSeen());
        } catch (IOException | RuntimeException e) {
            log.debug("cluster: the forward queue '{}' is not deleted: {}", queue, ConnectLoop.reason(e));
        }
    }

    /** A channel for passive declares and deletes; a refused one closes it, so it is opened again as needed. */
    private Channel probe() throws IOException {
        if (probe == null || !probe.isOpen()) {
            probe = connection.createChannel();
        }
        return probe;
    }

    /** Stops taking drained messages; those in hand are still settled. */
    public synchronized void stopDraining() {
        stopped = true;
        drains.values().forEach(Drain::cancel);
    }

    @Override
    public synchronized void close() {
        stopDraining();
        drains.values().forEach(drain -> abort(drain.channel));
        drains.clear();
        lingering.forEach(drain -> abort(drain.channel));
        lingering.clear();
        abort(probe);
    }

    private static void abort(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("cluster: aborting a channel failed: {}", e.getMessage());
        }
    }

    /** One departed peer's forward queue being drained here. */
    private final class Drain {

        final ServerId server;
        final String queue;
        final Channel channel;
        final Set<InboundMessage> inHand = ConcurrentHashMap.newKeySet();
        final LongAdder taken = new LongAdder();
        volatile String tag;
        volatile boolean cancelled;
        /** The broker cancelled the consumer, or the channel closed: nothing more arrives on it. */
        volatile boolean gone;
        volatile String why;

        Drain(ServerId server, String queue, Channel channel) {
            this.server = server;
            this.queue = queue;
            this.channel = channel;
        }

        DefaultConsumer consumer() {
            var acknowledger = AckWriter.of(channel);
            return new DefaultConsumer(channel) {
                @Override
                public void handleConsumeOk(String consumerTag) {
                    tag = consumerTag;
                }

                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    take(acknowledger, envelope, properties, body);
                }

                @Override
                public void handleCancel(String consumerTag) {
                    why = "the broker cancelled the consumer";
                    gone = true;
                }

                @Override
                public void handleShutdownSignal(String consumerTag, com.rabbitmq.client.ShutdownSignalException signal) {
                    // What is in hand can no longer be acked here: the broker hands it out again.
                    inHand.forEach(InboundMessage::lost);
                    why = ConnectLoop.reason(signal);
                    gone = true;
                }
            };
        }

        private void take(AckWriter acknowledger, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            acknowledger.delivered(envelope.getDeliveryTag());
            taken.increment();
            drained.increment();
            var headers = AmqpHeaders.of(properties);
            var check = ForwardReceiver.check(body, headers, signer);
            var holder = new InboundMessage[1];
            var message = new InboundMessage(acknowledger, envelope.getDeliveryTag(), body, stripped(properties, headers),
                    envelope.isRedeliver(), () -> inHand.remove(holder[0]));
            holder[0] = message;
            inHand.add(message);
            try {
                if (check instanceof ForwardReceiver.Check.Refuse refuse) {
                    var sender = ForwardReceiver.senderOf(headers);
                    refusedLog.log(suffix -> log.warn("cluster: refused a forward drained from {} with a failure result: {}{}", queue,
                            refuse.reason(), suffix));
                    pipeline.refuse(message, "the forward from " + sender + " was refused: " + refuse.reason());
                    return;
                }
                pipeline.accept(message);
            } catch (Throwable e) {
                int failures = WatchedConsumer.countFailure(body);
                try {
                    pipeline.failed(message, e, failures, failures >= WatchedConsumer.MAX_HANDLER_FAILURES);
                } catch (Throwable again) {
                    message.requeue();
                }
            }
        }

        void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            var current = tag;
            if (current != null && channel.isOpen()) {
                try {
                    channel.basicCancel(current);
                } catch (IOException | RuntimeException e) {
                    log.debug("cluster: cancelling the drain of '{}' failed: {}", queue, e.getMessage());
                }
            }
        }

        /** Closes the channel once nothing taken on it waits to be settled; else at the next tick. */
        void closeWhenSettled() {
            if (inHand.isEmpty()) {
                abort(channel);
            } else {
                lingering.add(this);
            }
        }
    }

    /** Drains cancelled with messages still in hand: their channels close once those are settled. */
    private final Set<Drain> lingering = ConcurrentHashMap.newKeySet();

    /** A drained message goes back into the pipeline as an outbox message would: without the forward's headers. */
    private static AMQP.BasicProperties stripped(AMQP.BasicProperties properties, Map<String, Object> headers) {
        var kept = new java.util.HashMap<>(headers);
        kept.keySet().removeAll(FORWARD_HEADERS);
        return properties.builder().headers(kept).build();
    }
}
