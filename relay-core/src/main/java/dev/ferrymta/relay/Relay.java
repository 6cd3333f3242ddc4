package dev.ferrymta.relay;

import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.delivery.DestinationCheck;
import dev.ferrymta.relay.delivery.LaneContext;
import dev.ferrymta.relay.delivery.Lanes;
import dev.ferrymta.relay.delivery.ResponseActions;
import dev.ferrymta.relay.delivery.MxConnector;
import dev.ferrymta.relay.delivery.RetrySchedule;
import dev.ferrymta.relay.delivery.SourceIpSelector;
import dev.ferrymta.relay.dns.DnsResolver;
import dev.ferrymta.relay.dns.MxResolver;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.relay.outbox.Intake;
import dev.ferrymta.relay.outbox.OutboxHandler;
import dev.ferrymta.relay.outbox.OutboxRouting;
import dev.ferrymta.relay.outbox.OutboxTopology;
import dev.ferrymta.relay.outbox.PeerRouter;
import dev.ferrymta.relay.outbox.PublishProblems;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.relay.outbox.RelayCounters;
import dev.ferrymta.relay.outbox.RelayStatus;
import dev.ferrymta.relay.outbox.ResultPublisher;
import dev.ferrymta.relay.outbox.Settler;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.relay.settings.IpRange;
import dev.ferrymta.relay.smtp.SmtpClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay of one instance, wired: the watched outbox consumer feeding the handler, the lanes and
 * their SMTP sessions, the settling of outcomes (confirmed publishes, retries, the parking queue)
 * and the delay queues. {@link #start()} begins consuming; {@link #close()} stops consuming, lets
 * attempts under way finish for a while and hands back the rest.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /** How long a stop waits for attempts under way and their confirms. */
    static final Duration STOP_GRACE = Duration.ofSeconds(15);

    /** How long a refused result or retry copy is published again before it is parked. */
    public static final Duration PUBLISH_PATIENCE = Duration.ofMinutes(5);

    private final Clock clock;
    private final ResponseActions responses;
    private final RelayCounters counters = new RelayCounters();
    private final RecentResults recent = new RecentResults(RecentResults.DEFAULT_CAPACITY);
    private final PublishProblems problems;
    private final IntakeBudget budget;
    private final Lanes lanes;
    private final ConfirmingPublisher publisher;
    private final ResultPublisher results;
    private final WatchedConsumer consumer;
    private final OutboxHandler handler;
    private final ScheduledExecutorService timer;
    private final Runnable outboxCheck;

    /**
     * @param defaultEhlo the EHLO name for IPs the settings name none for (the host name)
     * @param router      hands messages for foreign IPs to their owner; {@link PeerRouter#NONE} without a cluster
     * @param budget      bounds the bytes of the messages in hand, shared with the forward receiver
     */
    public Relay(RelayConfig config, CurrentSettings settings, Connection connection, DnsResolver dns, SmtpClient smtp,
            PeerRouter router, String defaultEhlo, Clock clock, IntakeBudget budget) throws IOException {
        this(config, settings, connection, dns, smtp, router, defaultEhlo, clock, budget, PUBLISH_PATIENCE);
    }

    /** @param patience how long a refused publish is tried again before it is parked */
    public Relay(RelayConfig config, CurrentSettings settings, Connection connection, DnsResolver dns, SmtpClient smtp,
            PeerRouter router, String defaultEhlo, Clock clock, IntakeBudget budget, Duration patience) throws IOException {
        this.clock = clock;
        this.budget = budget;
        this.problems = new PublishProblems(clock);
        var tiers = new DelayTiers(config.outboxQueue());
        var destinations = new DestinationCheck(config.smtpIps(),
                config.allowedDestinations().stream().map(IpRange::parse).toList());
        var connector = new MxConnector(new MxResolver(dns, RandomGenerator.getDefault()), dns, smtp, destinations, clock);
        this.responses = new ResponseActions();
        this.lanes = new Lanes(new LaneContext(settings, connector, clock, defaultEhlo, Thread.ofVirtual().name("lane-", 0).factory(),
                new dev.ferrymta.relay.dkim.MessageSigning(), responses));
        int inFlight = Math.max(1_000, 4 * config.prefetch() * config.consumers());
        this.publisher = new ConfirmingPublisher(connection, 4, inFlight, Duration.ofSeconds(60));
        this.results = new ResultPublisher(publisher, config, tiers, clock, connection);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("relay-timer").factory());
        var settler = Settler.of(results, problems, timer, clock, patience, counters);
        this.handler = new OutboxHandler(settings, new OutboxRouting(new SourceIpSelector(config.smtpIps(), config.defaultIps()),
                config.maxMessageBytes()), lanes, router, results, settler,
                new RetrySchedule(config.retryIntervals(), config.maxAttempts(), config.maxDeliverTime()), clock, counters, recent,
                timer, results::brokerMaxMessageSize);
        this.consumer = new WatchedConsumer("outbox consumer", connection, declaring -> OutboxTopology.declare(declaring, config, tiers),
                config.consumers(), config.prefetch(), false, "ferry-" + config.serverId(), handler, budget, clock, () -> {
                });
        this.outboxCheck = () -> OutboxTopology.checkOutbox(connection, config);
    }

    /**
     * Declares the queues and starts consuming the outbox; warns once when an existing outbox is
     * not of the {@code rabbitmq-queue-type} ({@link OutboxTopology#checkOutbox}).
     */
    public void start() throws IOException {
        consumer.start();
        outboxCheck.run();
        timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
    }

    private void sweep() {
        try {
            lanes.sweep();
        } catch (RuntimeException e) {
            log.warn("sweeping idle lanes failed", e);
        }
    }

    /** The broker connection came back: queues it may have lost are declared again on their next use. */
    public void connectionRecovered() {
        results.forgetQueues();
    }

    /**
     * The handler of messages a peer forwarded here, for the forward receiver's consumer: each keeps
     * its place behind earlier ones of its lane (call it from one thread per source IP and domain).
     */
    public Intake forwardHandler() {
        return intake(true);
    }

    /**
     * The handler of messages drained from a departed peer's forward queue: each takes the way an
     * outbox message takes (delivered here, forwarded to the IP's live owner, or retried when it
     * has none), and a message that cannot be trusted is refused with a failure result.
     */
    public Intake drainHandler() {
        return intake(false);
    }

    private Intake intake(boolean inOrder) {
        return new Intake() {
            @Override
            public void accept(InboundMessage message) {
                if (inOrder) {
                    handler.acceptInOrder(message);
                } else {
                    handler.accept(message);
                }
            }

            @Override
            public void failed(InboundMessage message, Throwable error, int failures, boolean last) {
                handler.failed(message, error, failures, last);
            }

            @Override
            public void refuse(InboundMessage message, String reason) {
                handler.refuse(message, reason);
            }
        };
    }

    /** The outbox consumer, a link the health page watches. */
    public WatchedConsumer outboxConsumer() {
        return consumer;
    }

    /**
     * The response rules and the suspensions they made; the application shares them with the
     * cluster ({@link ResponseActions#shareWith}).
     */
    public ResponseActions responses() {
        return responses;
    }

    /** The bytes of messages in hand, shared with the forward receiver. */
    public IntakeBudget intakeBudget() {
        return budget;
    }

    /** What the relay did with messages since it started; cheap, and still answers after {@link #close()}. */
    public RelayCounters.Counts counts() {
        return counters.snapshot();
    }

    /** What the relay is doing now. */
    public RelayStatus status() {
        var lanesNow = lanes.status();
        return new RelayStatus(counters.snapshot(), lanesNow.stream().mapToInt(l -> l.connections()).sum(),
                lanesNow.stream().mapToInt(l -> l.depth()).sum(), consumer.unsettled(),
                consumer.prefetches().stream().mapToInt(Integer::intValue).sum(), lanesNow, problems.current());
    }

    /**
     * The latest outcomes this relay published (results confirmed by the broker, and forwards),
     * for the console to list; {@link RecentResults#find} reads them newest first.
     */
    public RecentResults recentResults() {
        return recent;
    }

    @Override
    public void close() {
        var deadline = clock.instant().plus(STOP_GRACE);
        consumer.stopConsuming();
        try {
            if (!lanes.stop(deadline)) {
                log.warn("attempts still under way after {}s; their messages go back to the outbox", STOP_GRACE.toSeconds());
            }
            if (!consumer.awaitSettled(deadline)) {
                log.warn("{} outbox messages not settled in time; the broker hands them out again", consumer.unsettled());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
            consumer.close();
            publisher.close();
        }
    }
}
