package dev.ferrymta.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.broker.QueueType;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance as a member of the cluster (docs/ARCHITECTURE.md, "The cluster"): declares the cluster exchange,
 * its control queue (server-named, exclusive, bound for broadcasts) and its forward queue; announces
 * itself every {@code cluster-interval} and answers newcomers at once; keeps the
 * {@link PeerDirectory}; reloads the settings on a newer {@code reset}, on {@code {"reload":true}},
 * and announces on {@code {"hello":true}}. With {@code cluster-secret} set, what is not validly
 * signed is dropped, counted and logged without flooding.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    /** Routing key of messages for every instance. */
    public static final String BROADCAST = "broadcast";

    private final ClusterConfig config;
    private final QueueType queueType;
    private final ClusterIdentity self;
    private final CurrentSettings settings;
    private final Connection connection;
    private final MessageSigner signer;
    private final PeerDirectory directory;
    private final ScheduledExecutorService timer;
    private final FloodGuard rejectLog;
    private final LongAdder rejected = new LongAdder();
    private final WatchedConsumer control;
    private final Clock clock;
    /** The last clock offset seen per sender of a signed message; bounded like the directory. */
    private final Map<String, ClusterHealth.ClockOffset> clocks = new ConcurrentHashMap<>();
    private final FloodGuard clockLog;
    private volatile OrphanedForwards orphans;
    private volatile Supplier<ForwardCounts> forwardCounts = () -> ForwardCounts.NONE;
    private Channel channel;
    private volatile boolean closed;

    /** @param queueType {@code rabbitmq-queue-type}: the type of this instance's forward queue */
    public ClusterNode(ClusterConfig config, QueueType queueType, ClusterIdentity self, CurrentSettings settings, Connection connection,
            Clock clock) {
        this.config = config;
        this.queueType = queueType;
        this.self = self;
        this.settings = settings;
        this.connection = connection;
        this.signer = MessageSigner.from(config, clock);
        this.directory = new PeerDirectory(self.server(), self.incarnation(), self.ips(), config, clock);
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cluster-announcer").factory());
        this.rejectLog = FloodGuard.standard(clock);
        this.clockLog = FloodGuard.standard(clock);
        this.conflictLog = FloodGuard.standard(clock);
        this.control = new WatchedConsumer("cluster control consumer", connection, this::declareControl, 1, 1, true,
                "ferry-cluster-" + self.server(), new WatchedConsumer.Handler() {
                    @Override
                    public void accept(InboundMessage message) {
                        handle(message.headers(), message.body(), message.properties());
                    }

                    @Override
                    public void failed(InboundMessage message, Throwable error, int failures, boolean last) {
                        reject("handling it failed: " + error);
                    }
                }, new IntakeBudget(Long.MAX_VALUE), clock, this::announceQuietly);
    }

    /**
     * Declares the cluster exchange and a control queue of this connection's own (server-named,
     * exclusive, bound for {@code ""} and {@code broadcast}), and returns its name: what the
     * control consumer and {@code --list-cluster} read.
     */
    static String declareControlQueue(Channel channel, String exchange) throws IOException {
        channel.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true);
        var queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, exchange, "");
        channel.queueBind(queue, exchange, BROADCAST);
        return queue;
    }

    /**
     * Declares the cluster exchange and this instance's forward queue, durable, of the
     * {@code rabbitmq-queue-type} ({@link QueueType#durable}), bound with its key, and returns the
     * queue's name. Run at start, so peers can forward at once, and whenever the forward queue's
     * consumer subscribes again.
     *
     * @throws IOException when the forward queue exists with other arguments (another type): one
     *                     error naming the queue, the argument and both values
     */
    public String declareForwardQueue(Connection declaring) throws IOException {
        try (var declarer = declaring.createChannel()) {
            declarer.exchangeDeclare(config.exchange(), BuiltinExchangeType.DIRECT, true);
            var forward = forwardQueue(config.exchange(), self.server());
            QueueArguments.declare(declaring, forward, queueType.durable(), "");
            declarer.queueBind(forward, config.exchange(), forwardKey(self.server()));
            return forward;
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared the forward queue timed out", e);
        }
    }

    private String declareControl(Connection declaring) throws IOException {
        try (var declarer = declaring.createChannel()) {
            return declareControlQueue(declarer, config.exchange());
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared the control queue timed out", e);
        }
    }

    /** The control queue's consumer, a link the health page watches. */
    public Link controlLink() {
        return control;
    }

    /** The forward queue of an instance: {@code <cluster-exchange>.<server-id>.forward}. */
    public static String forwardQueue(String exchange, ServerId server) {
        return exchange + "." + server + ".forward";
    }

    /** The routing key of an instance's forward queue. */
    public static String forwardKey(ServerId server) {
        return "node." + server;
    }

    /** Declares the topology, starts listening and announcing. */
    public synchronized void start() throws IOException {
        channel = connection.createChannel();
        var forward = declareForwardQueue(connection);
        // Every (re)subscription of the control consumer announces: after a lost connection the
        // control queue has a new name, and peers are told at once that this instance is back.
        control.start();
        // A new settings version is announced at once, so a console that just saved sees within
        // moments which instances run it, instead of after the next interval.
        settings.onChange(loaded -> {
            try {
                timer.execute(this::announceQuietly);
            } catch (RejectedExecutionException stopped) {
                // Closed meanwhile: nothing to announce.
            }
        });
        long interval = config.interval().toMillis();
        timer.scheduleAtFixedRate(this::tick, 0, interval, TimeUnit.MILLISECONDS);
        log.info("cluster: joined exchange '{}' on {} as {} (forward queue {})", config.exchange(), config.address(),
                self.server(), forward);
    }

    /** The instances heard from, this one not included. */
    public PeerDirectory directory() {
        return directory;
    }

    public MessageSigner signer() {
        return signer;
    }

    public ClusterIdentity self() {
        return self;
    }

    /**
     * What the forward receiver dropped since start, for {@link ClusterHealth}.
     *
     * @param replays  copies of forwards that arrived before (dropped, ADR 0014)
     * @param refused  forwards refused with a failure result (unsigned, forged or expired)
     */
    public record ForwardCounts(long replays, long refused) {
        static final ForwardCounts NONE = new ForwardCounts(0, 0);
    }

    /**
     * Drains departed peers' forward queues from now on, and reads every forward queue's depth,
     * each {@code cluster-interval}; {@code counts} gives the receiver's replays and refusals.
     */
    public void watchForwardQueues(OrphanedForwards orphans, Supplier<ForwardCounts> counts) {
        this.orphans = orphans;
        this.forwardCounts = counts;
    }

    /** The cluster's conflicts, clocks and forward queues, as this instance sees them now. */
    public ClusterHealth health() {
        var now = clock.instant();
        var offsets = clocks.values().stream()
                .filter(c -> c.rejected() ? !now.isAfter(c.seen().plus(SKEW_SHOWN.compareTo(config.timeout()) > 0 ? SKEW_SHOWN : config.timeout()))
                        : c.offset().abs().compareTo(CLOCK_NOTICE) >= 0 && directory.find(new ServerId(c.server())).isPresent())
                .sorted(Comparator.comparing(ClusterHealth.ClockOffset::server)).toList();
        var current = orphans;
        var counts = forwardCounts.get();
        return new ClusterHealth(directory.conflicts(), offsets, current == null ? List.of() : current.queues(), counts.replays(), counts.refused(),
                current == null ? 0 : current.drained());
    }

    /**
     * A sender whose messages were dropped for its clock stays listed this long after the last
     * one (or {@code cluster-peer-expiry}, when longer): it sends every interval while it runs.
     */
    static final Duration SKEW_SHOWN = Duration.ofMinutes(1);

    /** A peer's clock this far off is shown, though its messages are still inside the window. */
    static final Duration CLOCK_NOTICE = Duration.ofSeconds(30);

    /** Cluster messages dropped: malformed, unsigned or wrongly signed. */
    public long rejected() {
        return rejected.sum();
    }

    /** Tells every instance that settings version {@code version} is committed: those behind reload. */
    public void broadcastReset(long version) {
        publish(new ClusterMessage.Reset(self.server(), version), false);
    }

    /** Announces this instance now. */
    public void announce() {
        publish(self.announce(), true);
    }

    private void announceQuietly() {
        if (closed) {
            return;
        }
        try {
            announce();
        } catch (RuntimeException e) {
            log.warn("cluster: announcing failed: {}", e.getMessage());
        }
    }

    private void tick() {
        try {
            announce();
            for (var gone : directory.expire()) {
                log.info("cluster: peer {} gone (nothing heard for {} ms)", gone.server(), config.timeout().toMillis());
            }
        } catch (RuntimeException e) {
            log.warn("cluster: announcing failed: {}", e.getMessage());
        }
        for (var conflict : directory.conflicts()) {
            conflictLog.log(suffix -> log.error("cluster: {}{}", conflict.describe(), suffix));
        }
        var current = orphans;
        if (current != null && !closed) {
            // On a thread of its own: a slow broker must not hold up the announces.
            Thread.ofVirtual().name("cluster-forward-queues").start(() -> {
                if (orphanTick.tryLock()) {
                    try {
                        current.tick();
                    } catch (RuntimeException e) {
                        log.warn("cluster: watching the forward queues failed: {}", e.getMessage());
                    } finally {
                        orphanTick.unlock();
                    }
                }
            });
        }
    }

    private final ReentrantLock orphanTick = new ReentrantLock();

    private void publish(ClusterMessage message, boolean expiring) {
        var body = ClusterCodec.encode(message);
        var headers = signer.sign(body, message.type(), self.server().value());
        var properties = new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(1).headers(headers);
        if (expiring) {
            properties.expiration(Long.toString(config.interval().toMillis() * 2));
        }
        synchronized (this) {
            try {
                var open = publishingChannel();
                if (open == null) {
                    log.debug("cluster: not connected; {} not sent", message.type());
                    return;
                }
                open.basicPublish(config.exchange(), BROADCAST, properties.build(), body);
            } catch (IOException | RuntimeException e) {
                log.debug("cluster: sending {} failed: {}", message.type(), e.getMessage());
            }
        }
    }

    /**
     * The channel announces go out on: reopened when the broker closed it (a publish to an exchange
     * a reset broker no longer has closes it for good); null while the connection is down.
     */
    private Channel publishingChannel() throws IOException {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        if (!connection.isOpen()) {
            return null;
        }
        if (channel != null) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException e) {
                log.debug("cluster: aborting the closed announce channel failed: {}", e.getMessage());
            }
        }
        channel = connection.createChannel();
        return channel;
    }

    /** Says goodbye ({@code leave}), so peers forget this instance at once, and stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        control.close();
        publish(new ClusterMessage.Leave(self.server(), self.incarnation()), false);
        synchronized (this) {
            if (channel != null && channel.isOpen()) {
                try {
                    // Abort, not close: nothing is pending on it, and a broker that blocks the
                    // connection would not answer a close.
                    channel.abort();
                } catch (IOException | RuntimeException e) {
                    log.debug("cluster: closing the control channel failed: {}", e.getMessage());
                }
            }
        }
    }

    private final FloodGuard conflictLog;

    private void reject(String why) {
        rejected.increment();
        rejectLog.log(suffix -> log.warn("cluster: dropped a message: {}{}", why, suffix));
    }

    /** Everything on the control queue: decoded, checked, acted on. */
    private void handle(Map<String, Object> headers, byte[] body, AMQP.BasicProperties properties) {
        ClusterMessage message;
        switch (ClusterCodec.decode(body)) {
            case ClusterCodec.Decoded.Rejected rejectedMessage -> {
                reject(rejectedMessage.reason());
                return;
            }
            case ClusterCodec.Decoded.Ok ok -> message = ok.message();
        }
        var verdict = signer.verify(body, headers, message);
        if (verdict instanceof MessageSigner.Verdict.Expired expired && message.sender().isPresent()
                && !message.sender().get().equals(self.server())) {
            // Validly signed, only at another time: a clock that is off, not a forgery. Named as such.
            var sender = message.sender().get().value();
            var offset = new ClusterHealth.ClockOffset(sender, expired.offset(), expired.receivedAt(), true);
            if (clocks.size() < PeerDirectory.DEFAULT_MAX_PEERS || clocks.containsKey(sender)) {
                clocks.put(sender, offset);
            }
            rejected.increment();
            clockLog.log(suffix -> log.warn("cluster: dropped {} from {}: it was {}{}", message.type(), sender, expired, suffix));
            return;
        }
        if (!verdict.accepted()) {
            reject(message.type() + " " + verdict);
            return;
        }
        if (signer.enabled() && message.sender().isPresent() && !message.sender().get().equals(self.server())) {
            var sender = message.sender().get().value();
            MessageSigner.signedAt(headers).ifPresent(signedAt -> {
                var offset = new ClusterHealth.ClockOffset(sender, Duration.between(clock.instant(), signedAt), clock.instant(),
                        false);
                var before = clocks.put(sender, offset);
                if (offset.offset().abs().compareTo(CLOCK_NOTICE) >= 0 && (before == null || before.rejected()
                        || before.offset().abs().compareTo(CLOCK_NOTICE) < 0)) {
                    log.warn("cluster: {}", offset.describe());
                }
            });
        }
        if (message.sender().filter(self.server()::equals).isPresent() && !(message instanceof ClusterMessage.Announce)) {
            return;
        }
        switch (message) {
            case ClusterMessage.Announce announce -> heard(announce);
            case ClusterMessage.Leave leave -> directory.left(leave)
                    .ifPresent(peer -> log.info("cluster: peer {} left", peer.server()));
            case ClusterMessage.Reset reset -> {
                directory.heardFrom(reset.server());
                Thread.ofVirtual().start(() -> settings.reloadIfNewer(reset.configVersion()));
            }
            case ClusterMessage.Reload reload -> Thread.ofVirtual().start(() -> settings.reload("reload asked on the cluster exchange"));
            case ClusterMessage.Hello hello -> announce();
        }
    }

    private void heard(ClusterMessage.Announce announce) {
        switch (directory.heard(announce)) {
            case NEW_PEER, RESTARTED -> {
                log.info("cluster: peer {} joined ({} on {}, IPs {}, console {})", announce.server(), announce.version(),
                        announce.hostname(), announce.ips().stream().map(ip -> ip.getHostAddress()).toList(), announce.console());
                announce();
            }
            case DUPLICATE_ID -> reject("another instance announces our server id " + self.server() + " (host "
                    + announce.hostname() + "): every instance needs its own server-id");
            case IGNORED_FULL -> reject("too many peers; ignoring " + announce.server());
            case KNOWN, SELF -> {
            }
        }
        if (announce.configVersion() > settings.version()) {
            // A peer runs newer settings than ours: a reset we missed. Catch up.
            Thread.ofVirtual().start(() -> settings.reloadIfNewer(announce.configVersion()));
        }
    }
}
