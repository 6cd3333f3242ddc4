package dev.ferrymta.cluster;

import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.QueueArguments;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.outbox.Intake;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the messages peers forwarded to this instance from its forward queue into the delivery
 * pipeline, through a pool of workers: messages with the same key (source IP and destination
 * domain) always go to the same worker, in arrival order, so their order is kept while different
 * keys run side by side. The forward queue's consumer is a {@link WatchedConsumer}: a deleted queue
 * or a lost channel shows on {@code /health} and is subscribed again by itself.
 *
 * <p>It consumes exclusively: the queue is this server-id's, and a second instance started with
 * the same {@code server-id} is refused by the broker and stops with an error saying so
 * ({@link #start()}). With {@code cluster-secret} set, a forward that is not validly signed within
 * {@link #FORWARD_WINDOW} is not dropped unseen: when it is a message, it ends in a failure result
 * that says why (signed too long ago, by a clock that is off, with another secret); only what is
 * not a message at all is dropped, counted and logged. A copy of a forward that arrived before (a
 * replay) is dropped and counted; a redelivery by the broker is not a replay.
 */
public final class ForwardReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForwardReceiver.class);

    /**
     * How far a forward's signing time may lie from the receive time, either way. A forward waits
     * in its durable queue while its owner is down, and a departed owner's queue is drained after
     * {@code cluster-orphan-after}; a forward older than this can only come from a cluster that was
     * wholly down for a week, or from a replay. Replays within it are caught by the {@link ReplayGuard}.
     */
    public static final Duration FORWARD_WINDOW = Duration.ofDays(7);

    private final MessageSigner signer;
    private final CompletableFuture<Intake> pipeline = new CompletableFuture<>();
    private final WatchedConsumer consumer;
    private final String queueName;
    private final Duration claimWait;
    private final Clock clock;
    private final ReplayGuard replays = new ReplayGuard(ReplayGuard.DEFAULT_CAPACITY);
    private final LongAdder replayed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final FloodGuard replayLog;
    private final List<LinkedBlockingQueue<InboundMessage>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final LongAdder rejected = new LongAdder();
    private final FloodGuard rejectLog;
    private final FloodGuard errorLog;

    /**
     * @param declare   declares the forward queue and its binding, and names it
     * @param queueName the forward queue's name, for the error a taken server-id gives
     * @param workers   how many keys run side by side
     * @param budget    the instance's budget of bytes in hand, shared with the outbox consumer
     * @param claimWait how long {@link #start} waits for the queue while another consumer holds
     *                  it (a live instance draining it while this one was away lets go within a
     *                  {@code cluster-interval} of hearing this one announce)
     */
    public ForwardReceiver(Connection connection, WatchedConsumer.QueueSource declare, String queueName, int prefetch, int workers,
            MessageSigner signer, String tagPrefix, IntakeBudget budget, Clock clock, Duration claimWait) {
        this.signer = signer;
        this.queueName = queueName;
        this.claimWait = claimWait;
        this.clock = clock;
        this.replayLog = FloodGuard.standard(clock);
        this.rejectLog = FloodGuard.standard(clock);
        this.errorLog = FloodGuard.standard(clock);
        for (int i = 0; i < workers; i++) {
            var queue = new LinkedBlockingQueue<InboundMessage>();
            queues.add(queue);
            this.workers.add(Thread.ofVirtual().name("forward-worker-" + i).unstarted(() -> work(queue)));
        }
        this.consumer = new WatchedConsumer("forward queue consumer", connection, declare, 1, prefetch, false, tagPrefix,
                new WatchedConsumer.Handler() {
                    @Override
                    public void accept(InboundMessage message) {
                        receive(message);
                    }

                    @Override
                    public void failed(InboundMessage message, Throwable error, int failures, boolean last) {
                        pipeline().failed(message, error, failures, last);
                    }
                }, budget, clock, () -> {
                }).exclusive();
    }

    /** What runs once while {@link #start} waits for a queue another consumer holds. */
    @FunctionalInterface
    public interface WhileWaiting {
        void run() throws IOException;
    }

    /**
     * Starts the workers and claims the forward queue: consumes it exclusively. What arrives waits
     * for {@link #deliverTo} before it goes further, so the queue can be claimed before the relay
     * runs, and a second instance with this server-id stops before it does any work.
     *
     * @param whileWaiting runs once when another consumer holds the queue, before waiting for it
     *                     (joining the cluster, so that a live instance draining the queue hears
     *                     this one and lets go)
     * @throws IOException when the queue stays held by another consumer for {@code claimWait}:
     *                     another running instance has this server-id; or when the broker refuses
     */
    public void start(WhileWaiting whileWaiting) throws IOException {
        workers.forEach(Thread::start);
        var deadline = clock.instant().plus(claimWait);
        boolean waited = false;
        while (true) {
            try {
                consumer.start();
                return;
            } catch (IOException | RuntimeException e) {
                if (!WatchedConsumer.refusedAsInExclusiveUse(e)) {
                    throw e;
                }
                if (!clock.instant().isBefore(deadline)) {
                    close();
                    throw new IOException("this server-id is taken: forward queue '" + queueName + "' stayed in exclusive use by "
                            + "another consumer for " + claimWait.toSeconds() + " s, so another running instance has the same "
                            + "server-id; every instance needs its own server-id (RabbitMQ: "
                            + QueueArguments.brokerReason(e) + ")", e);
                }
                if (!waited) {
                    waited = true;
                    log.warn("cluster: forward queue '{}' is in exclusive use by another consumer; waiting up to {} s for it (a "
                            + "live instance that drained it while this one was away lets go once it hears this one)", queueName,
                            claimWait.toSeconds());
                    whileWaiting.run();
                }
                try {
                    Thread.sleep(Duration.ofMillis(250));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for forward queue '" + queueName + "'", interrupted);
                }
            }
        }
    }

    /** From now on, forwards go into {@code intake} (the relay's forward handler); those that arrived before go first. */
    public void deliverTo(Intake intake) {
        pipeline.complete(intake);
    }

    /** The pipeline, once the relay runs; until then a worker waits here (a stop interrupts it). */
    private Intake pipeline() {
        while (true) {
            if (closing) {
                throw new IllegalStateException("stopping before the relay ran");
            }
            try {
                return pipeline.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException notYet) {
                // The relay is still starting; look again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopping before the relay ran", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private volatile boolean closing;

    /** The forward queue's consumer, a link the health page watches. */
    public Link link() {
        return consumer;
    }

    /** Forwards dropped for a missing or wrong signature that were not messages at all. */
    public long rejected() {
        return rejected.sum();
    }

    /** Forwards ended with a failure result because their signature could not be trusted. */
    public long refused() {
        return refused.sum();
    }

    /** Copies of forwards that had arrived before, dropped. */
    public long replayed() {
        return replayed.sum();
    }

    private void receive(InboundMessage message) {
        switch (check(message.body(), message.headers(), signer)) {
            case Check.Refuse refuse -> {
                var headers = message.headers();
                var sender = ForwardReceiver.senderOf(headers);
                if (message.parsed() instanceof ParsedMessage.Valid) {
                    refused.increment();
                    rejectLog.log(suffix -> log.warn("cluster: refused a forward from {} with a failure result: {}{}", sender,
                            refuse.reason(), suffix));
                    pipeline().refuse(message, "the forward from " + sender + " was refused: " + refuse.reason());
                } else {
                    rejected.increment();
                    rejectLog.log(suffix -> log.warn("cluster: dropped a forwarded message from {}: {}{}", sender,
                            refuse.reason(), suffix));
                    message.ack();
                }
                return;
            }
            case Check.Accept accept -> {
                var key = signer.replayKey(message.headers());
                var end = MessageSigner.signedAt(message.headers()).orElse(clock.instant()).plus(FORWARD_WINDOW);
                if (key.isPresent() && !replays.firstTime(key.get(), end, clock.instant()) && !message.redelivered()) {
                    replayed.increment();
                    replayLog.log(suffix -> log.warn("cluster: dropped a copy of a forward that arrived before (a replay) from {}{}",
                            ForwardReceiver.senderOf(message.headers()), suffix));
                    message.ack();
                    return;
                }
            }
        }
        queues.get(Math.floorMod(key(message.parsed()).hashCode(), queues.size())).add(message);
    }

    /** Whether a forward may be taken, as {@link #check} decides. */
    sealed interface Check {

        record Accept() implements Check {
        }

        /** @param reason why, for the failure result and the log */
        record Refuse(String reason) implements Check {
        }
    }

    /**
     * Whether a forward (from the own queue, or drained from a departed peer's) may be taken: it
     * must be validly signed within {@link #FORWARD_WINDOW} when a secret is set, and say it is a
     * forward.
     */
    static Check check(byte[] body, Map<String, Object> headers, MessageSigner signer) {
        var type = AmqpHeaders.text(headers, MessageSigner.TYPE).orElse(Forwarder.TYPE);
        if (!type.equals(Forwarder.TYPE)) {
            return new Check.Refuse("it is a '" + JsonFields.shorten(type, 32) + "' message, not a forward");
        }
        return switch (signer.verify(body, headers, FORWARD_WINDOW)) {
            case MessageSigner.Verdict.Valid valid -> new Check.Accept();
            case MessageSigner.Verdict.Unsigned unsigned -> new Check.Refuse("it is not signed, and cluster-secret is set here");
            case MessageSigner.Verdict.BadSignature bad -> new Check.Refuse("its signature does not match this instance's "
                    + "cluster-secret (signed with another secret, such as one retired since, or changed on the way): " + bad.reason());
            case MessageSigner.Verdict.Expired expired -> new Check.Refuse("it was " + expired
                    + "; a forward is valid for " + Durations.words(FORWARD_WINDOW));
        };
    }

    /** Who a forward says it is from: the signer, else the origin header, else "an unknown sender". */
    static String senderOf(Map<String, Object> headers) {
        return AmqpHeaders.text(headers, MessageSigner.SENDER).or(() -> AmqpHeaders.text(headers, Forwarder.ORIGIN))
                .map(sender -> JsonFields.shorten(sender, 64)).orElse("an unknown sender");
    }

    /** Source IP and destination domain: what must stay in order. */
    static String key(ParsedMessage parsed) {
        return switch (parsed) {
            case ParsedMessage.Valid valid -> valid.message().ips().stream().findFirst().map(InetAddress::getHostAddress)
                    .orElse(valid.message().pool().orElse("")) + "|" + valid.message().recipient().domain();
            case ParsedMessage.Invalid invalid -> "";
        };
    }

    private void work(LinkedBlockingQueue<InboundMessage> queue) {
        try {
            while (true) {
                var message = queue.take();
                try {
                    pipeline().accept(message);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    // A worker must outlive any one message: an error here would stop its keys for good.
                    errorLog.log(suffix -> log.error("cluster: a forwarded message could not be handled{}", suffix, e));
                    int failures = WatchedConsumer.countFailure(message.body());
                    try {
                        pipeline().failed(message, e, failures, failures >= WatchedConsumer.MAX_HANDLER_FAILURES);
                    } catch (Throwable again) {
                        message.requeue();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.stopConsuming();
        workers.forEach(Thread::interrupt);
        // What the workers had not started on goes back to the queue.
        queues.forEach(queue -> {
            InboundMessage left;
            while ((left = queue.poll()) != null) {
                left.requeue();
            }
        });
        consumer.close();
    }
}
