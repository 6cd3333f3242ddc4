package dev.ferrymta.app;

import dev.ferrymta.cluster.ClusterHealth;
import dev.ferrymta.cluster.ClusterIdentity;
import dev.ferrymta.cluster.ServerId;
import dev.ferrymta.console.ConsoleServer;
import dev.ferrymta.console.InstanceInfo;
import dev.ferrymta.console.SettingsEditor;
import dev.ferrymta.db.write.AutomaticActionWriter;
import dev.ferrymta.db.DatabasePool;
import dev.ferrymta.db.JdbcSettingsSource;
import dev.ferrymta.db.SchemaMigrator;
import dev.ferrymta.db.SettingsReloader;
import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.relay.FerryVersion;
import dev.ferrymta.relay.Relay;
import dev.ferrymta.relay.broker.BrokerLink;
import dev.ferrymta.relay.broker.IntakeBudget;
import dev.ferrymta.relay.lifecycle.LinkSlot;
import dev.ferrymta.relay.broker.QueueDepth;
import dev.ferrymta.relay.dkim.DkimPublicationChecks;
import dev.ferrymta.relay.dns.DnsJavaResolver;
import dev.ferrymta.relay.outbox.PeerRouter;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.relay.smtp.SmtpClient;
import dev.ferrymta.relay.smtp.SmtpTimeouts;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance: starts the console, connects to the broker and the database (each
 * retrying on its own until it answers), brings the schema up to date, loads the shared
 * settings and keeps them current, says it is ready, and runs until {@link #stop()}.
 */
final class FerryInstance {

    private static final Logger log = LoggerFactory.getLogger(FerryInstance.class);

    private final FerryConfig config;
    private final String ehloName;
    private final Clock clock;
    private final BrokerLink broker;
    private final DatabasePool database;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile CurrentSettings settings;
    private volatile Relay relay;
    private volatile ClusterMembership cluster;
    private volatile SettingsEditor editor;
    private SharedAutomaticActions automaticActions;
    private final BrokerLink clusterLink;
    private final Instant started;
    private final IntakeBudget budget = IntakeBudget.fromHeap();
    private final DkimPublicationChecks dkimChecks;
    private final LinkSlot outboxConsumer = new LinkSlot("outbox consumer", false);
    private final LinkSlot controlConsumer = new LinkSlot("cluster control consumer", false);
    private final LinkSlot forwardConsumer = new LinkSlot("forward queue consumer", false);

    FerryInstance(FerryConfig config, Clock clock, String ehloName) {
        this.config = config;
        this.ehloName = ehloName;
        this.clock = clock;
        this.broker = new BrokerLink(config.relay().rabbitmqAddress(), "ferry " + config.relay().serverId());
        this.clusterLink = new BrokerLink(config.cluster().address(), "ferry " + config.relay().serverId() + " cluster", "cluster");
        this.started = clock.instant();
        this.database = new DatabasePool(config.database().address());
        this.dkimChecks = new DkimPublicationChecks(new DnsJavaResolver(config.relay().dnsServer(), Duration.ofSeconds(5)), clock);
    }

    /** Starts, runs until {@link #stop()}, then shuts down. Throws when the start fails. */
    void run() throws Exception {
        var outboxDepth = new QueueDepth(() -> broker.sideConnection("queue depth", Duration.ofSeconds(2)),
                config.relay().outboxQueue(), Duration.ofSeconds(2));
        var info = new InstanceInfo(config.relay().serverId(), ehloName, FerryVersion.current(), started,
                config.relay().smtpIps(), List.of(broker, clusterLink, database, outboxConsumer, forwardConsumer, controlConsumer), this::settingsVersion,
                () -> Optional.ofNullable(relay).map(Relay::status), () -> Optional.ofNullable(editor),
                () -> cluster == null ? List.of() : cluster.peers(),
                () -> relay == null ? OptionalLong.empty() : outboxDepth.get(),
                () -> Optional.ofNullable(relay).map(Relay::recentResults),
                () -> cluster == null ? 0 : cluster.rejectedControl(), () -> cluster == null ? 0 : cluster.rejectedForwards(),
                Optional.of(dkimChecks), config.cluster().secret().isPresent(),
                () -> cluster == null ? ClusterHealth.NONE : cluster.health());
        if (config.cluster().secret().isEmpty()) {
            log.warn("cluster traffic is unsigned: set cluster-secret (the same on every instance) so that forged announces, "
                    + "resets and forwards are dropped");
        }
        SettingsReloader reloader = null;
        try (var console = new ConsoleServer(config.console(), info, clock)) {
            console.start();
            if (connect()) {
                outboxDepth.start();
                SchemaMigrator.migrate(database.dataSource());
                var current = new CurrentSettings(new JdbcSettingsSource(database.dataSource(), database.address()));
                current.loadInitial();
                settings = current;
                reloader = new SettingsReloader(database, current, config.database().ttl());
                reloader.start();
                cluster = new ClusterMembership(config.cluster(), config.relay().queueType(), identity(current), current, clusterLink,
                        config.relay().prefetch(), budget, clock);
                controlConsumer.set(cluster.controlLink());
                forwardConsumer.set(cluster.forwardLink());
                var membership = cluster;
                editor = new SettingsEditor(current, new SettingsWriter(database.dataSource(), clock), membership::broadcastReset);
                relay = startRelay(current, cluster.forwarder());
                automaticActions = new SharedAutomaticActions(new AutomaticActionWriter(database.dataSource()), current, membership::broadcastReset,
                        config.relay().serverId());
                relay.responses().shareWith(automaticActions);
                outboxConsumer.set(relay.outboxConsumer());
                cluster.receive(clusterLink, relay.forwardHandler(), relay.drainHandler());
                log.info("DKIM signatures: {}", dev.ferrymta.relay.dkim.SignatureProvider.description());
                log.info("ready: server {} owns {}; RabbitMQ {}; PostgreSQL {} (settings version {}); console {}",
                        config.relay().serverId(), describe(config.relay().smtpIps()), broker.address(),
                        database.address(), current.version(), config.console().url());
                stopRequested.await();
            }
            log.info("stopping");
        } finally {
            outboxDepth.close();
            dkimChecks.close();
            if (cluster != null) {
                cluster.stopReceiving();
            }
            if (relay != null) {
                relay.close();
            }
            if (automaticActions != null) {
                automaticActions.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            clusterLink.close();
            if (reloader != null) {
                reloader.close();
            }
            broker.close();
            database.close();
            log.info("stopped");
        }
    }

    /** What a stop would leave to the broker now, for the line a stop past its deadline writes. */
    String leftOver() {
        var current = relay;
        if (current == null) {
            return "nothing: the relay was not running";
        }
        var status = current.status();
        return status.unsettled() + " messages taken and not settled (the broker hands them out again), "
                + status.connections() + " SMTP connections open";
    }

    /**
     * The outbox messages this run handled, from the relay's counters: delivered, failed for good
     * (invalid ones aside), sent back for a retry, or forwarded to the instance owning their IP.
     * A threshold's measure of the work done, not an audit: a message given up without an attempt
     * counts as failed, one whose retry copy could not be stored counts twice. 0 before the relay
     * runs.
     */
    long messagesHandled() {
        var current = relay;
        if (current == null) {
            return 0;
        }
        var counts = current.counts();
        return counts.delivered() + counts.failed() - counts.invalid() + counts.retried() + counts.forwarded();
    }

    /** Asks the instance to stop; returns at once. */
    void stop() {
        stopRequested.countDown();
        if (settings == null) {
            // Still starting: end a connect loop waiting for a service that never came. Once
            // running, run() closes everything in order, the reloader before the pool it reads.
            broker.close();
            database.close();
            clusterLink.close();
        }
    }

    /** The delivery engine: consumes the outbox once the settings are known. */
    private Relay startRelay(CurrentSettings current, PeerRouter router) throws Exception {
        var relayConfig = config.relay();
        var dns = new DnsJavaResolver(relayConfig.dnsServer(), Duration.ofSeconds(10));
        var smtp = new SmtpClient(SmtpTimeouts.of(relayConfig.smtpTimeout()), SSLContext.getDefault(), clock);
        var started = new Relay(relayConfig, current, broker.connection(), dns, smtp, router, ehloName, clock, budget);
        broker.onRecovery(started::connectionRecovered);
        started.start();
        return started;
    }

    /** Who this instance is, as its announces say it. */
    private ClusterIdentity identity(CurrentSettings current) {
        return new ClusterIdentity(new ServerId(config.relay().serverId()), UUID.randomUUID().toString(), ehloName,
                config.relay().smtpIps(), config.console().url(), FerryVersion.current(), started, current::version, () -> {
                    var status = relay == null ? null : relay.status();
                    if (status == null) {
                        return Map.of();
                    }
                    var counts = status.counts();
                    return Map.of("delivered", counts.delivered(), "failed", counts.failed(), "retried", counts.retried(),
                            "forwarded", counts.forwarded(), "connections", (long) status.connections());
                });
    }

    private long settingsVersion() {
        var current = settings;
        return current == null ? 0 : current.version();
    }

    /** Connects to broker and database side by side, so that both problems show at once. */
    private boolean connect() throws InterruptedException, ExecutionException {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> brokerUp = executor.submit(broker::connect);
            Future<Boolean> clusterUp = executor.submit(clusterLink::connect);
            Future<Boolean> databaseUp = executor.submit(database::connect);
            return brokerUp.get() && clusterUp.get() && databaseUp.get() && stopRequested.getCount() > 0;
        }
    }

    private static String describe(List<InetAddress> ips) {
        return ips.isEmpty() ? "no source IPs" : String.join(", ", ips.stream().map(InetAddress::getHostAddress).toList());
    }
}
