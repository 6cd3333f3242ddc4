package dev.ferrymta.cluster;

import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.lifecycle.Link;
import dev.ferrymta.relay.message.ParsedMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the messages peers forwarded to this instance from its forward queue into the delivery
 * pipeline, through a pool of workers: messages with the same key (source IP and destination
 * domain) always go to the same worker, in arrival order, so their order is kept while different
 * keys run side by side. With {@code cluster-secret} set, a forward that is not validly signed is
 * dropped, counted and logged. The forward queue's consumer is a {@link WatchedConsumer}: a
 * deleted queue or a lost channel shows on {@code /health} and is subscribed again by itself.
 */
public final class ForwardReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForwardReceiver.class);

    /** A forward may wait in its durable queue while its owner is down; its signature stays good this long. */
    static final Duration SIGNATURE_LIFETIME = Duration.ofDays(7);

    private final MessageSigner signer;
    private final WatchedConsumer.Handler pipeline;
    private final WatchedConsumer consumer;
    private final List<LinkedBlockingQueue<InboundMessage>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final LongAdder rejected = new LongAdder();
    private final FloodGuard rejectLog;
    private final FloodGuard errorLog;

    /**
     * @param declare  declares the forward queue and its binding, and names it
     * @param pipeline takes each message in order (the relay's forward handler)
     * @param workers  how many keys run side by side
     * @param budget   the instance's budget of bytes in hand, shared with the outbox consumer
     */
    public ForwardReceiver(Connection connection, WatchedConsumer.QueueSource declare, int prefetch, int workers,
            MessageSigner signer, WatchedConsumer.Handler pipeline, String tagPrefix, IntakeBudget budget, Clock clock) {
        this.signer = signer;
        this.pipeline = pipeline;
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
                        pipeline.failed(message, error, failures, last);
                    }
                }, budget, clock, () -> {
                });
    }

    public void start() throws IOException {
        workers.forEach(Thread::start);
        consumer.start();
    }

    /** The forward queue's consumer, a link the health page watches. */
    public Link link() {
        return consumer;
    }

    /** Forwards dropped for a missing or wrong signature. */
    public long rejected() {
        return rejected.sum();
    }

    private void receive(InboundMessage message) {
        var headers = message.headers();
        var verdict = signer.verify(message.body(), headers, SIGNATURE_LIFETIME);
        if (!verdict.accepted() || !AmqpHeaders.text(headers, MessageSigner.TYPE).orElse(Forwarder.TYPE).equals(Forwarder.TYPE)) {
            rejected.increment();
            rejectLog.log(suffix -> log.warn("cluster: dropped a forwarded message from {}: {}{}",
                    AmqpHeaders.text(headers, MessageSigner.SENDER).orElse("an unknown sender"), verdict, suffix));
            message.ack();
            return;
        }
        queues.get(Math.floorMod(key(message.parsed()).hashCode(), queues.size())).add(message);
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
                    pipeline.accept(message);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    // A worker must outlive any one message: an error here would stop its keys for good.
                    errorLog.log(suffix -> log.error("cluster: a forwarded message could not be handled{}", suffix, e));
                    int failures = WatchedConsumer.countFailure(message.body());
                    try {
                        pipeline.failed(message, e, failures, failures >= WatchedConsumer.MAX_HANDLER_FAILURES);
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
