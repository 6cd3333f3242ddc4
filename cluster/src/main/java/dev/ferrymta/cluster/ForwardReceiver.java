package dev.ferrymta.cluster;

import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.outbox.InboundMessage;
import dev.ferrymta.relay.outbox.OutboxConsumer;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the messages peers forwarded to this instance from its forward queue into the delivery
 * pipeline, through a pool of workers: messages with the same key (source IP and destination
 * domain) always go to the same worker, in arrival order, so their order is kept while different
 * keys run side by side. With {@code cluster-secret} set, a forward that is not validly signed is
 * dropped, counted and logged.
 */
public final class ForwardReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ForwardReceiver.class);

    /** A forward may wait in its durable queue while its owner is down; its signature stays good this long. */
    static final Duration SIGNATURE_LIFETIME = Duration.ofDays(7);

    private final MessageSigner signer;
    private final Consumer<InboundMessage> pipeline;
    private final OutboxConsumer consumer;
    private final List<LinkedBlockingQueue<InboundMessage>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final LongAdder rejected = new LongAdder();
    private final FloodGuard rejectLog;

    /**
     * @param pipeline takes each message in order (the relay's {@code acceptForwarded})
     * @param workers  how many keys run side by side
     */
    public ForwardReceiver(Connection connection, String forwardQueue, int prefetch, int workers, MessageSigner signer,
            Consumer<InboundMessage> pipeline, String tagPrefix, Clock clock) {
        this.signer = signer;
        this.pipeline = pipeline;
        this.rejectLog = FloodGuard.standard(clock);
        for (int i = 0; i < workers; i++) {
            var queue = new LinkedBlockingQueue<InboundMessage>();
            queues.add(queue);
            this.workers.add(Thread.ofVirtual().name("forward-worker-" + i).unstarted(() -> work(queue)));
        }
        this.consumer = new OutboxConsumer(connection, forwardQueue, 1, prefetch, tagPrefix, this::receive, clock);
    }

    public void start() throws IOException {
        workers.forEach(Thread::start);
        consumer.start();
    }

    /** Forwards dropped for a missing or wrong signature. */
    public long rejected() {
        return rejected.sum();
    }

    private void receive(InboundMessage message) {
        Map<String, Object> headers = message.properties() == null || message.properties().getHeaders() == null
                ? Map.of() : message.properties().getHeaders();
        var verdict = signer.verify(message.body(), headers, SIGNATURE_LIFETIME);
        if (!verdict.accepted() || !MessageSigner.header(headers, MessageSigner.TYPE).orElse(Forwarder.TYPE).equals(Forwarder.TYPE)) {
            rejected.increment();
            rejectLog.log(suffix -> log.warn("cluster: dropped a forwarded message from {}: {}{}",
                    MessageSigner.header(headers, MessageSigner.SENDER).orElse("an unknown sender"), verdict, suffix));
            message.ack();
            return;
        }
        queues.get(Math.floorMod(key(message.body()).hashCode(), queues.size())).add(message);
    }

    /** Source IP and destination domain: what must stay in order. */
    static String key(byte[] body) {
        return switch (MessageParser.parse(body)) {
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
                } catch (RuntimeException e) {
                    log.error("cluster: a forwarded message could not be handled; handing it back", e);
                    message.requeue();
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
