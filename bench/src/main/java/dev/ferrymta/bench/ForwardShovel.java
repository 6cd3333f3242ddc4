package dev.ferrymta.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The least a relay must do to forward, with the plain RabbitMQ Java client: what Ferry's
 * instance A does with an outbox message that needs another instance's IP, and nothing else
 * (no parsing, no signing, no routing). A yardstick for bench/forward: the same shape as Ferry,
 * so a gap between the two is Ferry's own cost, and a gap between this and PerfTest is the
 * shape's.
 *
 * <pre>
 * ForwardShovel --from QUEUE --exchange NAME --key KEY --messages N [--consumers 2] [--prefetch 100]
 *               [--channels 2] [--amqp URI]
 * </pre>
 *
 * <p>{@code --consumers} channels consume {@code --from} with manual acks and {@code --prefetch}
 * each, on one connection; every message is published persistent and mandatory, with its body
 * and properties unchanged, to {@code --exchange} with {@code --key}, over {@code --channels}
 * channels in confirm mode on a second connection (Ferry, too, uses two); the message taken is
 * acked (one ack each) when the broker confirms its copy. It exits when {@code --messages} were
 * acked, and prints the time from the first delivery to the last ack, the rate, and the rate
 * without the first second.
 */
public final class ForwardShovel {

    private static final String PROGRAM = "ForwardShovel";
    private static final String DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/";

    /** A message taken and not yet acked: where to ack it. */
    private record Taken(Channel channel, long deliveryTag) {
    }

    /** One publishing channel and the messages it published and the broker has not confirmed yet. */
    private record Publisher(Channel channel, ConcurrentNavigableMap<Long, Taken> unconfirmed) {
    }

    private ForwardShovel() {
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] arguments) throws Exception {
        var args = Args.parse(PROGRAM, arguments, Set.of("amqp", "from", "exchange", "key", "messages", "consumers",
                "prefetch", "channels"));
        String from = args.required("from");
        String exchange = args.required("exchange");
        String key = args.required("key");
        int messages = args.number("messages", 0, 1, 10_000_000);
        if (messages == 0) {
            throw args.usage("--messages is required");
        }
        int consumers = args.number("consumers", 2, 1, 64);
        int prefetch = args.number("prefetch", 100, 1, 65_535);
        int channels = args.number("channels", 2, 1, 64);

        var factory = Amqp.factory(args.text("amqp", DEFAULT_AMQP));
        var done = new CountDownLatch(messages);
        var acked = new AtomicInteger();
        var first = new AtomicLong();
        var afterOneSecond = new AtomicInteger(-1);
        var failures = new AtomicInteger();
        try (Connection consuming = factory.newConnection("ferry bench ForwardShovel consume");
                Connection publishing = factory.newConnection("ferry bench ForwardShovel publish")) {
            List<Publisher> publishers = new ArrayList<>();
            for (int i = 0; i < channels; i++) {
                Channel channel = publishing.createChannel();
                channel.confirmSelect();
                var publisher = new Publisher(channel, new ConcurrentSkipListMap<>());
                channel.addConfirmListener((tag, multiple) -> settle(publisher, tag, multiple, true, done, acked, first,
                        afterOneSecond, failures), (tag, multiple) -> settle(publisher, tag, multiple, false, done, acked, first,
                        afterOneSecond, failures));
                channel.addReturnListener(returned -> failures.incrementAndGet());
                publishers.add(publisher);
            }
            System.out.printf("ForwardShovel: consuming %s with %d consumers of prefetch %d; publishing to %s over %d channels%n",
                    from, consumers, prefetch, exchange, channels);
            var next = new AtomicInteger();
            for (int i = 0; i < consumers; i++) {
                Channel channel = consuming.createChannel();
                channel.basicQos(prefetch, false);
                channel.basicConsume(from, false, new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                            throws IOException {
                        first.compareAndSet(0, System.nanoTime());
                        var publisher = publishers.get(Math.floorMod(next.getAndIncrement(), publishers.size()));
                        synchronized (publisher) {
                            long sequence = publisher.channel().getNextPublishSeqNo();
                            publisher.unconfirmed().put(sequence, new Taken(getChannel(), envelope.getDeliveryTag()));
                            publisher.channel().basicPublish(exchange, key, true, persistent(properties), body);
                        }
                    }
                });
            }
            if (!done.await(600, TimeUnit.SECONDS)) {
                System.err.printf("%s: only %d of %d acked within 600 s%n", PROGRAM, acked.get(), messages);
                return 1;
            }
            double seconds = (System.nanoTime() - first.get()) / 1e9;
            int early = afterOneSecond.get();
            String steady = early < 0 || seconds <= 1 ? "-" : String.format(Locale.ROOT, "%.0f", (messages - early) / (seconds - 1));
            System.out.printf(Locale.ROOT, "ForwardShovel: forwarded %d messages in %.3f s: %.0f msg/s; without the first second: "
                    + "%s msg/s; %d nacked or returned%n", messages, seconds, messages / seconds, steady, failures.get());
            return failures.get() == 0 ? 0 : 1;
        }
    }

    private static AMQP.BasicProperties persistent(AMQP.BasicProperties properties) {
        return properties.builder().deliveryMode(2).build();
    }

    /** The broker confirmed (or refused) {@code tag}, or everything up to it: ack (or hand back) what was taken. */
    private static void settle(Publisher publisher, long tag, boolean multiple, boolean confirmed, CountDownLatch done,
            AtomicInteger acked, AtomicLong first, AtomicInteger afterOneSecond, AtomicInteger failures) throws IOException {
        var settled = multiple ? publisher.unconfirmed().headMap(tag, true) : publisher.unconfirmed().subMap(tag, true, tag, true);
        for (var entry : settled.entrySet()) {
            Taken taken = entry.getValue();
            if (confirmed) {
                taken.channel().basicAck(taken.deliveryTag(), false);
                acked.incrementAndGet();
                done.countDown();
            } else {
                failures.incrementAndGet();
                taken.channel().basicNack(taken.deliveryTag(), false, true);
            }
        }
        settled.clear();
        if (afterOneSecond.get() < 0 && System.nanoTime() - first.get() >= 1_000_000_000L) {
            afterOneSecond.compareAndSet(-1, acked.get());
        }
    }
}
