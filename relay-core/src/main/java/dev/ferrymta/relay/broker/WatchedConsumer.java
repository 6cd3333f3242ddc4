package dev.ferrymta.relay.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.lifecycle.LinkState;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of one queue that is watched as a link (docs/ARCHITECTURE.md, "Every way in is
 * watched"): several channels with one consumer each, manual acks and a bounded prefetch, or
 * auto-ack for control messages. A consumer the broker cancels (its queue deleted, a quorum
 * queue's leader moved), a channel the broker or a lost connection closes, and any
 * {@link Throwable} out of the handler are logged once, shown as {@link LinkState#DOWN} with the
 * reason on {@code /health}, and answered by declaring the queue again and subscribing again with
 * growing waits, until it is back ("consuming ... again" in the log).
 *
 * <p>Deliveries on a channel that is lost are marked {@link InboundMessage#lost() lost}: the broker
 * hands them out again, so work that has not started on them is dropped. The bytes of the messages
 * in hand are bounded by an {@link IntakeBudget}: a delivery waits in the client until it fits.
 *
 * <p>With manual acks, the prefetch follows the sizes of the messages delivered
 * ({@link PrefetchWindow}, docs/adr/0017): {@code prefetch} is its maximum, and each consumer
 * subscribes again ({@code basic.cancel}, {@code basic.qos}, {@code basic.consume} on the same
 * channel, whose unacked deliveries stay in hand) when the sizes call for a window far enough from
 * the one it has. An exclusive consumer does so too: between its cancel and its next subscription
 * another consumer could take the queue, as after any lost channel, and is then reported the same
 * way (refused, subscribed again with growing waits).
 */
public final class WatchedConsumer implements Link, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedConsumer.class);

    /** A handler that failed on the same body this many times gets {@link Handler#failed} with {@code last} true. */
    public static final int MAX_HANDLER_FAILURES = 3;

    /** How long stopping and closing wait for the broker's answers. */
    static final Duration STOP_WAIT = Duration.ofSeconds(3);

    /** A message whose failure could not even be settled goes back to its queue after this wait. */
    static final Duration FAILED_AGAIN_WAIT = Duration.ofSeconds(5);

    /** Declares what the consumer reads (on channels of its own) and names the queue to consume. */
    @FunctionalInterface
    public interface QueueSource {
        /**
         * @return the queue to consume
         * @throws IOException when the broker refuses or cannot be reached
         */
        String declare(Connection connection) throws IOException;
    }

    /** Takes each delivery; must settle it exactly once (auto-ack deliveries are settled already). */
    public interface Handler {

        void accept(InboundMessage message) throws Exception;

        /**
         * {@link #accept} threw. The default hands the message back (the broker redelivers it).
         *
         * @param failures how often accepting this body failed, this time included
         * @param last     true from the {@value #MAX_HANDLER_FAILURES}th failure on: do not hand it back again
         */
        default void failed(InboundMessage message, Throwable error, int failures, boolean last) {
            message.requeue();
        }
    }

    private final String name;
    private final Connection connection;
    private final QueueSource source;
    private final int prefetch;
    private final boolean autoAck;
    private final String tagPrefix;
    private final Handler handler;
    private final IntakeBudget budget;
    private final Clock clock;
    private final Runnable onSubscribed;
    /** Null for auto-ack consumers, which have no prefetch. */
    private final PrefetchWindow window;
    private final AtomicBoolean resizePending = new AtomicBoolean();
    private final AtomicBoolean budgetShareReturned = new AtomicBoolean();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicInteger unsettled = new AtomicInteger();
    private final LongAdder settles = new LongAdder();
    private final LongAdder settleFrames = new LongAdder();
    private final AtomicBoolean settlesReported = new AtomicBoolean();
    private final ScheduledExecutorService timer;
    private final FloodGuard errorLog;
    /** Handler failures per body, the last thousand bodies: failures are rare, and only they are counted. */
    private static final Map<String, Integer> FAILURES = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > 1_000;
        }
    };
    private volatile boolean exclusive;
    private volatile boolean closed;
    private volatile boolean started;
    private volatile String problem;
    private volatile long restarts;

    /**
     * @param name         how {@code /health} names it, e.g. {@code outbox consumer}
     * @param consumers    channels consuming side by side (1 to 64)
     * @param prefetch     the most unacked messages per consumer ({@code rabbitmq-qos}); ignored with auto-ack; the
     *                     window is smaller while messages are large ({@link PrefetchWindow})
     * @param autoAck      true for control messages, which need no settling
     * @param tagPrefix    consumer tags start with it, so the broker shows whose consumers these are
     * @param budget       bounds the bytes in hand, and the prefetched ones; shared by the consumers of one instance,
     *                     each of which takes an equal share for its prefetch
     * @param onSubscribed runs after every (re)subscription of every consumer, e.g. to announce
     */
    public WatchedConsumer(String name, Connection connection, QueueSource source, int consumers, int prefetch, boolean autoAck,
            String tagPrefix, Handler handler, IntakeBudget budget, Clock clock, Runnable onSubscribed) {
        if (consumers < 1) {
            throw new IllegalArgumentException("consumers must be at least 1, not " + consumers);
        }
        this.name = name;
        this.connection = connection;
        this.source = source;
        this.prefetch = prefetch;
        this.autoAck = autoAck;
        this.tagPrefix = tagPrefix;
        this.handler = handler;
        this.budget = budget;
        this.clock = clock;
        this.onSubscribed = onSubscribed;
        if (autoAck) {
            this.window = null;
        } else {
            budget.addConsumers(consumers);
            this.window = PrefetchWindow.sharing(prefetch, budget);
        }
        for (int i = 1; i <= consumers; i++) {
            slots.add(new Slot(i));
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("consumer-watch-" + name).factory());
        this.errorLog = FloodGuard.standard(clock);
    }

    /**
     * Makes every subscription exclusive ({@code basic.consume} with {@code exclusive}): while it
     * consumes, the broker refuses any other consumer of the queue with {@code ACCESS_REFUSED}
     * (403), and this one is refused while another holds the queue. Call before {@link #start()}.
     *
     * @return this consumer
     */
    public WatchedConsumer exclusive() {
        this.exclusive = true;
        return this;
    }

    /**
     * Whether a failed subscription was refused because another consumer holds the queue
     * exclusively ({@code ACCESS_REFUSED ... in exclusive use}).
     */
    public static boolean refusedAsInExclusiveUse(Throwable error) {
        var reason = QueueArguments.brokerReason(error);
        return reason.contains("ACCESS_REFUSED") && reason.contains("exclusive");
    }

    /** Declares the queue and subscribes every consumer; throws when the first subscription fails. */
    public void start() throws IOException {
        for (var slot : slots) {
            slot.subscribe();
        }
        started = true;
        log.debug("{}: consuming with {} consumers, prefetch {}", name, slots.size(), prefetch);
    }

    /**
     * The prefetch each consumer has now, in subscription order: what the sizes of the messages
     * delivered call for, or {@code prefetch} for auto-ack consumers
     * ({@link PrefetchWindow}); 0 for a consumer not subscribed.
     */
    public List<Integer> prefetches() {
        return slots.stream().map(slot -> slot.consuming() ? slot.prefetch : 0).toList();
    }

    @Override
    public String name() {
        return name;
    }

    /** The node its connection is on ({@link BrokerLink#nodeOf}): after a recovery to another node, that one. */
    @Override
    public String address() {
        return BrokerLink.nodeOf(connection);
    }

    @Override
    public LinkState state() {
        if (closed) {
            return LinkState.CLOSED;
        }
        if (!started) {
            return LinkState.CONNECTING;
        }
        return slots.stream().allMatch(Slot::consuming) ? LinkState.UP : LinkState.DOWN;
    }

    @Override
    public Optional<String> problem() {
        return state() == LinkState.DOWN ? Optional.ofNullable(problem) : Optional.empty();
    }

    /** A consumer runs over the broker connection; its loss degrades the instance. */
    @Override
    public boolean isConnection() {
        return false;
    }

    /** How often a consumer was lost and subscribed again since start. */
    public long restarts() {
        return restarts;
    }

    /** Messages taken and not yet settled. */
    public int unsettled() {
        return unsettled.get();
    }

    /** Settles asked for since start (acks and requeues), over every channel ({@link AckWriter}). */
    public long settlesAsked() {
        return settles.sum();
    }

    /** Frames written for {@link #settlesAsked()}: fewer when acks were combined into multiple acks. */
    public long settleFrames() {
        return settleFrames.sum();
    }

    /**
     * Takes no more messages; those taken can still be settled. Waits at most
     * {@link #STOP_WAIT} for the broker's answers: a broker that blocks the connection (an alarm)
     * answers nothing, and a stop must not wait on it.
     */
    public void stopConsuming() {
        closed = true;
        timer.shutdownNow();
        bounded(Slot::cancel);
    }

    /** Waits until every taken message is settled, or the deadline. */
    public boolean awaitSettled(Instant deadline) throws InterruptedException {
        while (unsettled.get() > 0) {
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            Thread.sleep(Duration.ofMillis(20));
        }
        return true;
    }

    /** Closes the channels; the broker requeues whatever is still unsettled. Bounded like {@link #stopConsuming()}. */
    @Override
    public void close() {
        stopConsuming();
        bounded(Slot::close);
        if (window != null && budgetShareReturned.compareAndSet(false, true)) {
            budget.addConsumers(-slots.size());
        }
        if (settles.sum() > 0 && settlesReported.compareAndSet(false, true)) {
            log.info("{}: {} deliveries settled in {} frames", name, settles.sum(), settleFrames.sum());
        }
    }

    /** Runs {@code action} for every slot side by side, waiting at most {@link #STOP_WAIT} for them all. */
    private void bounded(java.util.function.Consumer<Slot> action) {
        var threads = slots.stream().map(slot -> Thread.ofVirtual().start(() -> action.accept(slot))).toList();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (var thread : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    log.warn("{}: the broker did not answer within {}; leaving the channels to the connection's close", name, STOP_WAIT);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Subscribes the consumers again, on the timer thread, when the window's target moved far enough. */
    private void resizeSoon() {
        if (!resizePending.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.execute(() -> {
                resizePending.set(false);
                slots.forEach(Slot::resize);
            });
        } catch (RejectedExecutionException stopping) {
            resizePending.set(false);
        }
    }

    /** Hands a message back after {@link #FAILED_AGAIN_WAIT}, never at once: it would come straight back. */
    private void handBackLater(InboundMessage message) {
        try {
            timer.schedule(message::requeue, FAILED_AGAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            message.requeue();
        }
    }

    /** The body's SHA-256, to know a message again when it comes back. */
    public static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Counts one more failure to handle {@code body}, for every consumer of the instance (a
     * message that fails here fails wherever it is handed out next).
     *
     * @return the failures of this body so far, this one included
     */
    public static int countFailure(byte[] body) {
        var key = digest(body);
        synchronized (FAILURES) {
            return FAILURES.merge(key, 1, Integer::sum);
        }
    }

    /** One channel with one consumer, subscribed again whenever it is lost. */
    private final class Slot {

        private final int number;
        private final Set<InboundMessage> inHand = ConcurrentHashMap.newKeySet();
        private final Backoff backoff = Backoff.standard();
        private volatile Channel channel;
        /** Settles the deliveries of {@link #channel}: one per channel, shared by its consumers. */
        private volatile AckWriter acks;
        private volatile String tag;
        /** Subscriptions so far, for {@link #nextTag()}; under the slot's lock. */
        private int subscriptions;
        /** The handler of the current subscription. */
        private volatile Delivery active;
        private volatile String queue;
        /** The prefetch of the current subscription. */
        private volatile int prefetch;
        private volatile boolean consuming;
        private volatile Instant lostAt;

        Slot(int number) {
            this.number = number;
        }

        boolean consuming() {
            return consuming;
        }

        /** Subscribes now: on the open channel a cancel left, or on a new one. */
        synchronized void subscribe() throws IOException {
            if (closed || consuming) {
                // Stopped, or subscribed already (a retry after a failed start got there first).
                return;
            }
            var queue = source.declare(connection);
            int asked = window == null ? WatchedConsumer.this.prefetch : window.target();
            var current = channel;
            if (current == null || !current.isOpen()) {
                current = connection.createChannel();
                if (current == null) {
                    throw new IOException("the connection has no free channel number");
                }
                var opened = current;
                opened.addShutdownListener(cause -> channelLost(opened, cause));
                acks = AckWriter.of(opened, settles, settleFrames);
                channel = opened;
            }
            try {
                if (!autoAck) {
                    // Per consumer (global false): it applies to the consumers subscribed after it.
                    current.basicQos(asked, false);
                }
                var delivery = new Delivery(current, queue, acks);
                active = delivery;
                tag = current.basicConsume(queue, autoAck, nextTag(), false, exclusive, null, delivery);
            } catch (IOException | RuntimeException e) {
                abort(current);
                throw e;
            }
            this.queue = queue;
            this.prefetch = asked;
            consuming = true;
            backoff.reset();
            if (lostAt != null) {
                restarts++;
                log.info("{}: consuming '{}' again (consumer {}), {} ms after it was lost", name, queue, number,
                        Duration.between(lostAt, clock.instant()).toMillis());
                lostAt = null;
            }
            onSubscribed.run();
        }

        /**
         * Subscribes again with the window's target when it is far enough from this subscription's
         * prefetch. The deliveries in hand stay on the channel and are settled as before; those
         * the broker sent before its cancel-ok still arrive at the old subscription's handler.
         * A failure is a lost consumer: it is subscribed again with growing waits.
         */
        synchronized void resize() {
            var sizes = window;
            if (closed || !consuming || sizes == null) {
                return;
            }
            int target = sizes.target();
            int before = prefetch;
            if (!sizes.worthChanging(before, target)) {
                return;
            }
            var current = channel;
            var currentTag = tag;
            if (current == null || !current.isOpen() || currentTag == null) {
                return;
            }
            try {
                current.basicCancel(currentTag);
                current.basicQos(target, false);
                var delivery = new Delivery(current, queue, acks);
                active = delivery;
                tag = current.basicConsume(queue, false, nextTag(), false, exclusive, null, delivery);
                prefetch = target;
                log.debug("{}: consumer {} subscribed again with prefetch {} (was {})", name, number, target, before);
            } catch (IOException | RuntimeException e) {
                if (current.isOpen()) {
                    consuming = false;
                    lost("subscribing again with prefetch " + target + " failed: " + ConnectLoop.reason(e));
                }
                // Else the channel's shutdown listener has taken it from here.
            }
        }

        /**
         * A tag of its own for each subscription ({@code <prefix>-<consumer>-<subscription>}): on a
         * classic queue RabbitMQ credits an ack back to the consumer holding the delivery's tag
         * now, so under a reused tag each ack of a delivery taken before {@link #resize()} would
         * widen the new window by one.
         */
        private String nextTag() {
            return tagPrefix + "-" + number + "-" + (++subscriptions);
        }

        /**
         * The broker cancelled the consumer; the channel is still open for the messages in hand. A
         * cancel of an earlier subscription (one {@link #resize()} replaced while the broker's
         * cancel was on its way) changes nothing.
         */
        void cancelled(String queue, Delivery which, String cancelledTag) {
            if (closed) {
                return;
            }
            if (which != active) {
                log.debug("{}: consumer {}: the broker cancelled {}, an earlier subscription", name, number, cancelledTag);
                return;
            }
            consuming = false;
            lost("the broker cancelled the consumer of '" + queue + "' (the queue was deleted, or moved to another node)");
        }

        void channelLost(Channel which, ShutdownSignalException cause) {
            if (which != channel || closed) {
                return;
            }
            consuming = false;
            channel = null;
            inHand.forEach(InboundMessage::lost);
            abort(which);
            if (cause.isInitiatedByApplication()) {
                return;
            }
            lost((cause.isHardError() ? "the connection was lost: " : "the broker closed the channel: ") + describe(cause));
        }

        private void lost(String why) {
            problem = why;
            if (lostAt == null) {
                lostAt = clock.instant();
                log.warn("{}: consumer {} lost: {}; subscribing again", name, number, why);
            }
            schedule();
        }

        private void schedule() {
            var wait = backoff.nextDelay();
            try {
                timer.schedule(this::retry, wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // Closed meanwhile.
            }
        }

        private void retry() {
            if (closed || consuming) {
                return;
            }
            if (!connection.isOpen()) {
                problem = "waiting for the connection to the broker to come back";
                schedule();
                return;
            }
            try {
                subscribe();
            } catch (IOException | RuntimeException e) {
                problem = "subscribing again failed: " + ConnectLoop.reason(e);
                log.debug("{}: consumer {}: {}", name, number, problem);
                schedule();
            }
        }

        synchronized void cancel() {
            var current = channel;
            var currentTag = tag;
            consuming = false;
            if (current != null && current.isOpen() && currentTag != null) {
                try {
                    current.basicCancel(currentTag);
                } catch (IOException | RuntimeException e) {
                    log.debug("{}: cancelling consumer {} failed: {}", name, number, e.getMessage());
                }
            }
        }

        void close() {
            var current = channel;
            channel = null;
            if (current != null) {
                try {
                    if (current.isOpen()) {
                        current.close();
                    } else {
                        current.abort();
                    }
                } catch (IOException | TimeoutException | RuntimeException e) {
                    log.debug("{}: closing channel {} failed: {}", name, number, e.getMessage());
                }
            }
        }

        /** Closes a channel for good; on a recovering connection this also keeps it from being recovered. */
        private void abort(Channel which) {
            try {
                which.abort();
            } catch (IOException | RuntimeException e) {
                log.debug("{}: aborting channel {} failed: {}", name, number, e.getMessage());
            }
        }

        private final class Delivery extends DefaultConsumer {

            private final String queue;
            private final AckWriter acknowledger;

            Delivery(Channel channel, String queue, AckWriter acknowledger) {
                super(channel);
                this.queue = queue;
                this.acknowledger = acknowledger;
            }

            @Override
            public void handleCancel(String consumerTag) {
                cancelled(queue, this, consumerTag);
            }

            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                InboundMessage message;
                if (autoAck) {
                    message = new InboundMessage(null, envelope.getDeliveryTag(), body, properties, envelope.isRedeliver(), () -> {
                    });
                } else {
                    acknowledger.delivered(envelope.getDeliveryTag());
                    long size = body.length;
                    var sizes = window;
                    if (sizes != null && sizes.observe(size)) {
                        resizeSoon();
                    }
                    try {
                        budget.acquire(size);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        nackQuietly(envelope.getDeliveryTag());
                        return;
                    }
                    unsettled.incrementAndGet();
                    var holder = new InboundMessage[1];
                    message = new InboundMessage(acknowledger, envelope.getDeliveryTag(), body, properties, envelope.isRedeliver(),
                            () -> {
                                inHand.remove(holder[0]);
                                unsettled.decrementAndGet();
                                budget.release(size);
                            });
                    holder[0] = message;
                    inHand.add(message);
                    if (getChannel() != channel) {
                        message.lost();
                    }
                }
                try {
                    handler.accept(message);
                } catch (Throwable e) {
                    // Never out of here: an exception would close the channel and end the consumer.
                    int times = countFailure(body);
                    errorLog.log(suffix -> log.error("{}: handling a message from '{}' failed (time {} for this message){}", name,
                            queue, times, suffix, e));
                    try {
                        handler.failed(message, e, times, times >= MAX_HANDLER_FAILURES);
                    } catch (Throwable again) {
                        log.error("{}: settling a message whose handling failed failed too; handing it back in {}", name,
                                FAILED_AGAIN_WAIT, again);
                        handBackLater(message);
                    }
                }
            }

            private void nackQuietly(long deliveryTag) {
                try {
                    acknowledger.requeue(deliveryTag);
                } catch (IOException | RuntimeException e) {
                    log.debug("{}: handing back delivery {} failed: {}", name, deliveryTag, e.getMessage());
                }
            }
        }
    }

    private static String describe(ShutdownSignalException cause) {
        if (cause.getReason() instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (cause.getReason() instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        return ConnectLoop.reason(cause);
    }
}
