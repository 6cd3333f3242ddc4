package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import dev.ferrymta.relay.config.AmqpAddress;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.testing.TestNames;
import dev.ferrymta.testing.broker.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ConfirmingPublisher} against the real broker, over a real auto-recovering {@link BrokerLink}. */
class ConfirmingPublisherIT {

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisherIT.class);
    private static final AMQP.BasicProperties PERSISTENT = MessageProperties.PERSISTENT_BASIC;
    private static final AMQP.BasicProperties TRANSIENT = MessageProperties.BASIC;

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    /** Unique on the broker, so that the test can find and close its own connection and no other. */
    private final String linkName = "ferry confirming publisher it " + TestNames.randomId();
    private BrokerLink link;
    private Channel admin;
    private String queue;
    private ConfirmingPublisher publisher;

    @BeforeEach
    void connect() throws Exception {
        queue = broker.queue("outbox");
        admin = broker.connection().createChannel();
        admin.queueDeclare(queue, true, false, false, null);
        link = new BrokerLink(AmqpAddress.parse(broker.address()), linkName);
        assertThat(link.connect()).isTrue();
    }

    @AfterEach
    void disconnect() {
        if (publisher != null) {
            publisher.close(Duration.ofSeconds(1));
        }
        link.close();
    }

    @Test
    void everyConfirmedMessageIsInTheQueue() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 4, 1_000, Duration.ofSeconds(10));

        var futures = IntStream.range(0, 5_000).mapToObj(i -> publisher.publish("", queue, false, PERSISTENT, body(i))).toList();

        assertThat(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(30));
        assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isEqualTo(5_000);
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aMandatoryMessageNoQueueTakesFailsAsUnroutable() throws Exception {
        var exchange = broker.exchange("unbound");
        admin.exchangeDeclare(exchange, "direct", false, true, null);
        publisher = new ConfirmingPublisher(link.connection(), 2, 100, Duration.ofSeconds(10));

        var mandatory = publisher.publish(exchange, "nobody.listens", true, PERSISTENT, body(1));

        assertThat(failure(mandatory)).satisfies(e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNROUTABLE);
            assertThat(e).hasMessageContaining("unroutable").hasMessageContaining("nobody.listens").hasMessageContaining(exchange);
        });
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aMessageNoQueueTakesIsConfirmedWhenNotMandatory() throws Exception {
        var exchange = broker.exchange("unbound");
        admin.exchangeDeclare(exchange, "direct", false, true, null);
        publisher = new ConfirmingPublisher(link.connection(), 2, 100, Duration.ofSeconds(10));

        assertThat(publisher.publish(exchange, "nobody.listens", false, PERSISTENT, body(1))).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void aRoutedMandatoryMessageIsConfirmedBesideAnUnroutableOne() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 1, 100, Duration.ofSeconds(10));

        var lost = publisher.publish("", broker.prefix() + "no-such-queue", true, PERSISTENT, body(1));
        var routed = publisher.publish("", queue, true, PERSISTENT, body(2));

        assertThat(routed).succeedsWithin(Duration.ofSeconds(10));
        assertThat(failure(lost).reason()).isEqualTo(Reason.UNROUTABLE);
    }

    @Test
    void aMessageTheQueueRefusesFailsAsNacked() throws Exception {
        var full = broker.queue("full");
        admin.queueDeclare(full, false, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        publisher = new ConfirmingPublisher(link.connection(), 1, 100, Duration.ofSeconds(10));

        var first = publisher.publish("", full, true, TRANSIENT, body(1));
        var second = publisher.publish("", full, true, TRANSIENT, body(2));

        assertThat(first).succeedsWithin(Duration.ofSeconds(10));
        assertThat(failure(second)).satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.NACKED));
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aCallerMayPublishAgainFromTheOutcomeOfAPublish() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 1, 1, Duration.ofSeconds(10));

        // With room for one message only, this would hang if outcomes ran on the connection's thread.
        CompletableFuture<Void> chain = publisher.publish("", queue, false, TRANSIENT, body(0));
        for (int i = 1; i < 50; i++) {
            int next = i;
            chain = chain.thenCompose(v -> publisher.publish("", queue, false, TRANSIENT, body(next)));
        }

        assertThat(chain).succeedsWithin(Duration.ofSeconds(20));
        assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isEqualTo(50);
    }

    @Test
    void keepsTheCallersPropertiesAndHeaders() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 1, 100, Duration.ofSeconds(10));
        var properties = new AMQP.BasicProperties.Builder()
                .messageId("m-1").contentType("application/json").deliveryMode(2).headers(Map.of("x-attempt", 3))
                .build();

        assertThat(publisher.publish("", queue, true, properties, body(1))).succeedsWithin(Duration.ofSeconds(10));

        var stored = admin.basicGet(queue, true);
        assertThat(stored.getProps().getMessageId()).isEqualTo("m-1");
        assertThat(stored.getProps().getContentType()).isEqualTo("application/json");
        assertThat(stored.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(stored.getProps().getHeaders()).containsEntry("x-attempt", 3).containsKey(PublishIdHeader.NAME);
        assertThat(new String(stored.getBody(), StandardCharsets.UTF_8)).isEqualTo("1");
    }

    @Test
    void aPublishToAMissingExchangeFailsAndThePublisherGoesOn() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 2, 100, Duration.ofSeconds(10));

        var missing = publisher.publish(broker.exchange("missing"), "k", false, PERSISTENT, body(0));

        assertThat(failure(missing)).satisfies(e -> {
            assertThat(e.reason()).isEqualTo(Reason.CHANNEL_CLOSED);
            assertThat(e).hasMessageContaining("NOT_FOUND");
        });
        var next = IntStream.range(1, 11).mapToObj(i -> publisher.publish("", queue, false, PERSISTENT, body(i))).toList();
        assertThat(CompletableFuture.allOf(next.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(10));
        assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isEqualTo(10);
    }

    @Test
    void neverHasMoreInFlightThanItsBound() throws Exception {
        int bound = 25;
        publisher = new ConfirmingPublisher(link.connection(), 4, bound, Duration.ofSeconds(10));
        var futures = new CopyOnWriteArrayList<CompletableFuture<Void>>();
        var done = new AtomicBoolean();
        var highest = new AtomicInteger();
        var sampler = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                highest.accumulateAndGet(publisher.inFlight(), Math::max);
                Thread.onSpinWait();
            }
        });

        var publishers = IntStream.range(0, 4).mapToObj(t -> Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1_000; i++) {
                futures.add(publisher.publish("", queue, false, TRANSIENT, body(t * 1_000 + i)));
            }
        })).toList();
        for (var thread : publishers) {
            assertThat(thread.join(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(30));
        done.set(true);
        sampler.join();

        log.info("in flight at most {} of {} while 4 threads published 4000 messages", highest.get(), bound);
        assertThat(highest.get()).isBetween(1, bound);
        assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isEqualTo(4_000);
    }

    @Test
    void survivesTheBrokerClosingItsConnection() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 4, 200, Duration.ofSeconds(5));
        var futures = new ArrayList<CompletableFuture<Void>>();
        var published = new AtomicInteger();
        var stop = new AtomicBoolean();
        var publishing = Thread.ofPlatform().name("it-publisher").start(() -> {
            for (int i = 0; !stop.get(); i++) {
                var future = publisher.publish("", queue, false, PERSISTENT, body(i));
                synchronized (futures) {
                    futures.add(future);
                }
                published.incrementAndGet();
                pause(i);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> published.get() >= 500);

        closeConnectionNamed(linkName);
        await().atMost(Duration.ofSeconds(15)).until(() -> link.state() != LinkState.UP);
        await().atMost(Duration.ofSeconds(15)).until(() -> link.state() == LinkState.UP);
        int atRecovery = published.get();
        await().atMost(Duration.ofSeconds(15)).until(() -> published.get() >= atRecovery + 500);
        stop.set(true);

        assertThat(publishing.join(Duration.ofSeconds(15))).as("the publishing thread finished").isTrue();
        int total = futures.size();
        await().atMost(Duration.ofSeconds(15)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        var confirmed = new HashSet<String>();
        var failures = new EnumMap<Reason, Integer>(Reason.class);
        for (int i = 0; i < total; i++) {
            var failure = failureOf(futures.get(i));
            if (failure.isEmpty()) {
                confirmed.add(Integer.toString(i));
            } else {
                failures.merge(failure.get().reason(), 1, Integer::sum);
            }
        }
        // After the recovery a publish goes through again.
        assertThat(publisher.publish("", queue, false, PERSISTENT, body(total))).succeedsWithin(Duration.ofSeconds(10));
        confirmed.add(Integer.toString(total));
        var stored = drain(queue);
        var storedButFailed = new HashSet<>(stored);
        storedButFailed.removeAll(confirmed);

        log.info("connection loss: {} published, {} confirmed, failed {}, {} in the queue ({} of them failed but stored)",
                total + 1, confirmed.size(), failures, stored.size(), storedButFailed.size());
        assertThat(failures).as("the loss hit while publishing").isNotEmpty();
        assertThat(failures.keySet()).isSubsetOf(Reason.CHANNEL_CLOSED, Reason.TIMED_OUT);
        assertThat(stored).as("every confirmed message is stored").containsAll(confirmed);
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aMessageNotConfirmedInTimeFailsAsTimedOut() throws Exception {
        // A millisecond is less than a burst of persistent messages takes to be written and confirmed.
        publisher = new ConfirmingPublisher(link.connection(), 2, 5_000, Duration.ofMillis(1));

        var futures = IntStream.range(0, 3_000).mapToObj(i -> publisher.publish("", queue, false, PERSISTENT, body(i))).toList();

        await().atMost(Duration.ofSeconds(10)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        var failed = futures.stream().map(ConfirmingPublisherIT::failureOf).flatMap(Optional::stream).toList();
        log.info("confirm timeout of 1 ms: {} of {} publishes timed out", failed.size(), futures.size());
        assertThat(failed).isNotEmpty().allSatisfy(e -> assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT));
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void aPublishOnAClosedConnectionFailsAtOnce() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 2, 100, Duration.ofSeconds(10));
        link.close();

        var future = publisher.publish("", queue, false, PERSISTENT, body(1));

        assertThat(failure(future, Duration.ofSeconds(2)).reason()).isEqualTo(Reason.CHANNEL_CLOSED);
        assertThat(publisher.inFlight()).isZero();
    }

    @Test
    void closeEndsOutstandingFuturesAndRefusesLaterPublishes() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 2, 5_000, Duration.ofSeconds(10));
        var futures = IntStream.range(0, 3_000).mapToObj(i -> publisher.publish("", queue, false, PERSISTENT, body(i))).toList();

        publisher.close(Duration.ZERO);

        await().atMost(Duration.ofSeconds(5)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        var failed = futures.stream().map(ConfirmingPublisherIT::failureOf).flatMap(Optional::stream).toList();
        log.info("close without waiting: {} of {} publishes confirmed, {} failed", futures.size() - failed.size(), futures.size(), failed.size());
        assertThat(failed).allSatisfy(e -> assertThat(e.reason()).isIn(Reason.CLOSED, Reason.CHANNEL_CLOSED));
        assertThat(publisher.inFlight()).isZero();
        assertThatIllegalStateException().isThrownBy(() -> publisher.publish("", queue, false, PERSISTENT, body(-1)));
    }

    @Test
    void closeWaitsForOutstandingConfirms() throws Exception {
        publisher = new ConfirmingPublisher(link.connection(), 2, 1_000, Duration.ofSeconds(10));
        var futures = IntStream.range(0, 500).mapToObj(i -> publisher.publish("", queue, false, PERSISTENT, body(i))).toList();

        publisher.close(Duration.ofSeconds(10));

        assertThat(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(5));
        assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isEqualTo(500);
    }

    private static byte[] body(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }

    /** Bursts of 25, about a thousand publishes a second: the connection is lost with some unconfirmed. */
    private static void pause(int i) {
        if (i % 25 == 24) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static PublishFailedException failure(CompletableFuture<Void> future) {
        return failure(future, Duration.ofSeconds(10));
    }

    private static PublishFailedException failure(CompletableFuture<Void> future, Duration within) {
        try {
            future.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PublishFailedException.class);
            return (PublishFailedException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the publish did not fail within " + within, e);
        }
        throw new AssertionError("the publish was confirmed");
    }

    /** Empty when the future completed normally; the future must be done. */
    private static Optional<PublishFailedException> failureOf(CompletableFuture<Void> future) {
        try {
            future.getNow(null);
            return Optional.empty();
        } catch (java.util.concurrent.CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(PublishFailedException.class);
            return Optional.of((PublishFailedException) e.getCause());
        }
    }

    /** Takes every message from the queue; returns their bodies. */
    private Set<String> drain(String name) throws IOException {
        int count = admin.queueDeclarePassive(name).getMessageCount();
        var bodies = ConcurrentHashMap.<String>newKeySet();
        var received = new AtomicInteger();
        admin.basicQos(500);
        var tag = admin.basicConsume(name, true, new DefaultConsumer(admin) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
                received.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> received.get() >= count);
        admin.basicCancel(tag);
        return bodies;
    }

    /** Closes, from the broker's side, the one connection with this name, as an operator or a failing node would. */
    private static void closeConnectionNamed(String name) throws Exception {
        var listing = run("rabbitmqctl", "-q", "list_connections", "pid", "client_properties");
        List<String> pids = listing.lines()
                .filter(line -> line.contains("{\"connection_name\",\"" + name + "\"}"))
                .map(line -> line.split("\\s+", 2)[0])
                .toList();
        assertThat(pids).as("the connection named %s in%n%s", name, listing).hasSize(1);
        run("rabbitmqctl", "-q", "close_connection", pids.get(0), "test");
    }

    private static String run(String... command) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s said%n%s", String.join(" ", command), output).isZero();
        return output;
    }
}
