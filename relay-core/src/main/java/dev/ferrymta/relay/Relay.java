package dev.ferrymta.relay;

import com.rabbitmq.client.Connection;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.delivery.LaneContext;
import dev.ferrymta.relay.delivery.Lanes;
import dev.ferrymta.relay.delivery.MxConnector;
import dev.ferrymta.relay.delivery.RetrySchedule;
import dev.ferrymta.relay.delivery.SourceIpSelector;
import dev.ferrymta.relay.dns.DnsResolver;
import dev.ferrymta.relay.dns.MxResolver;
import dev.ferrymta.relay.outbox.DelayTiers;
import dev.ferrymta.relay.outbox.InboundMessage;
import dev.ferrymta.relay.outbox.OutboxConsumer;
import dev.ferrymta.relay.outbox.OutboxHandler;
import dev.ferrymta.relay.outbox.OutboxTopology;
import dev.ferrymta.relay.outbox.PeerRouter;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.relay.outbox.RelayCounters;
import dev.ferrymta.relay.outbox.RelayStatus;
import dev.ferrymta.relay.outbox.ResultPublisher;
import dev.ferrymta.relay.settings.CurrentSettings;
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
 * The relay of one instance, wired: the outbox consumer feeding the handler, the lanes and their
 * SMTP sessions, the confirming result publisher and the delay queues. {@link #start()} begins
 * consuming; {@link #close()} stops consuming, lets attempts under way finish for a while and
 * hands back the rest.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /** How long a stop waits for attempts under way and their confirms. */
    static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final RelayConfig config;
    private final Connection connection;
    private final Clock clock;
    private final DelayTiers tiers;
    private final RelayCounters counters = new RelayCounters();
    private final RecentResults recent = new RecentResults(RecentResults.DEFAULT_CAPACITY);
    private final Lanes lanes;
    private final ConfirmingPublisher publisher;
    private final OutboxConsumer consumer;
    private final OutboxHandler handler;
    private final ScheduledExecutorService sweeper;

    /**
     * @param defaultEhlo the EHLO name for IPs the settings name none for (the host name)
     * @param router      hands messages for foreign IPs to their owner; {@link PeerRouter#NONE} without a cluster
     */
    public Relay(RelayConfig config, CurrentSettings settings, Connection connection, DnsResolver dns, SmtpClient smtp,
            PeerRouter router, String defaultEhlo, Clock clock) throws IOException {
        this.config = config;
        this.connection = connection;
        this.clock = clock;
        this.tiers = new DelayTiers(config.outboxQueue());
        var connector = new MxConnector(new MxResolver(dns, RandomGenerator.getDefault()), dns, smtp, clock);
        this.lanes = new Lanes(new LaneContext(settings, connector, clock, defaultEhlo, Thread.ofVirtual().name("lane-", 0).factory()));
        int inFlight = Math.max(1_000, 4 * config.prefetch() * config.consumers());
        this.publisher = new ConfirmingPublisher(connection, 4, inFlight, Duration.ofSeconds(60));
        var results = new ResultPublisher(publisher, config, tiers, clock, connection);
        this.handler = new OutboxHandler(settings, new SourceIpSelector(config.smtpIps(), config.defaultIps()), lanes, router,
                results, new RetrySchedule(config.retryInterval(), config.maxAttempts(), config.maxDeliverTime()), clock, counters,
                recent);
        this.consumer = new OutboxConsumer(connection, config.outboxQueue(), config.consumers(), config.prefetch(),
                "ferry-" + config.serverId(), handler, clock);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("lane-sweeper").factory());
    }

    /** Declares the queues and starts consuming the outbox. */
    public void start() throws IOException {
        OutboxTopology.declare(connection, config, tiers);
        consumer.start();
        sweeper.scheduleWithFixedDelay(lanes::sweep, 1, 1, TimeUnit.MINUTES);
    }

    /**
     * Takes a message a peer forwarded here, keeping its place behind earlier ones of its lane
     * (call it from one thread per source IP and domain).
     */
    public void acceptForwarded(InboundMessage message) {
        handler.acceptInOrder(message);
    }

    /** What the relay is doing now. */
    public RelayStatus status() {
        var lanesNow = lanes.status();
        return new RelayStatus(counters.snapshot(), lanesNow.stream().mapToInt(l -> l.connections()).sum(),
                lanesNow.stream().mapToInt(l -> l.depth()).sum(), consumer.unsettled(), lanesNow);
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
            sweeper.shutdownNow();
            consumer.close();
            publisher.close();
        }
    }
}
