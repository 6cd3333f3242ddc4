package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.cluster.ClusterHealth;
import dev.ferrymta.cluster.PeerDirectory;
import dev.ferrymta.relay.lifecycle.LinkState;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.RequestBufferingHandler;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * The instance's web server: {@code /} shows the instance's status, {@code /health} reports the
 * broker and database links as JSON (200 when all are up, 503 otherwise, for load balancers and
 * monitoring): each link's {@code name}, configured {@code address}, the {@code node} it is on now
 * when it has one ({@code "127.0.0.1:5682"}, the RabbitMQ node a broker link is connected to),
 * {@code state} and {@code problem}. With {@code www-password} set, everything but {@code /health}
 * asks for it.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

    /** A request's headers arrive within this, or the connection is closed. */
    static final Duration HEADERS_WITHIN = Duration.ofSeconds(10);

    /** Each read or write of a connection makes progress within this, or the connection is closed. */
    static final Duration READ_WRITE_TIMEOUT = Duration.ofSeconds(10);

    /** A keep-alive connection with no request for this long is closed. */
    static final Duration IDLE = Duration.ofSeconds(60);

    /** The largest request body, form or JSON, in bytes; larger ones get 413. */
    static final int MAX_BODY_BYTES = 80 * 1024;

    /** Buffers of (usually) 16 KB that hold a body before it is handed on: more than {@link #MAX_BODY_BYTES}. */
    static final int BODY_BUFFERS = 6;

    /** Connections open at once; more wait in the listen backlog. */
    static final int MAX_CONNECTIONS = 256;

    private final ConsoleConfig config;
    private final InstanceInfo instance;
    private final Clock clock;
    private final Rates rates = new Rates();
    private final ScheduledExecutorService sampler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("console-rates").factory());
    private Undertow server;

    public ConsoleServer(ConsoleConfig config, InstanceInfo instance, Clock clock) {
        this.config = config;
        this.instance = instance;
        this.clock = clock;
    }

    /** Starts listening; a taken port is an {@link IllegalStateException} naming the address. */
    public void start() {
        var auth = new ConsoleAuth(config, instance.serverId(), clock);
        var settingsApi = new SettingsApi(instance.editor(), instance.dkimChecks());
        var pages = new ConsolePages(instance, config.url(), auth, settingsApi, rates, clock);
        var routes = new RoutingHandler()
                .get("/health", this::health)
                .get("/login", auth.login())
                .post("/login", auth.login())
                .post("/logout", auth.protect(auth::logout))
                .get("/", auth.protect(pages::overview))
                .get("/cluster", auth.protect(pages::cluster))
                .get("/settings", auth.protect(pages::settings))
                .get("/results", auth.protect(pages::results))
                .post("/settings/{kind}", auth.protect(pages::settingsForm))
                .post("/settings/{kind}/{id}", auth.protect(pages::settingsForm))
                .post("/settings/{kind}/{id}/delete", auth.protect(pages::settingsForm))
                .get("/api/session", auth.protect(auth::sessionInfo))
                .get("/api/status", auth.protect(this::status))
                .get("/api/cluster", auth.protect(exchange -> cluster(exchange, pages)))
                .get("/api/relay", auth.protect(this::relay))
                .setFallbackHandler(auth.protect(exchange ->
                        Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", "no such page: " + exchange.getRequestPath())));
        settingsApi.routes(routes, auth::protect);
        new ResultsApi(instance.results()).routes(routes, auth::protect);
        new MetricsEndpoint(instance, clock).routes(routes, auth::protectForMonitoring);
        var builder = Undertow.builder()
                .setIoThreads(1)
                .setWorkerThreads(8)
                // Requests reach the handlers (and the 8 workers) only once their body is in: a
                // client that sends headers and then nothing holds a connection, not a worker.
                .setHandler(new RequestBufferingHandler(routes, BODY_BUFFERS));
        limits(builder);
        if (config.tls().isPresent()) {
            builder.addHttpsListener(config.port(), config.ip().getHostAddress(), config.tls().get().context());
        } else {
            builder.addHttpListener(config.port(), config.ip().getHostAddress());
        }
        var built = builder.build();
        try {
            built.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("console: cannot listen on %s:%d: %s"
                    .formatted(config.ip().getHostAddress(), config.port(), ConnectLoop.reason(e)), e);
        }
        server = built;
        sampler.scheduleAtFixedRate(this::sample, 0, 5, TimeUnit.SECONDS);
        log.info("console listening on {}:{} ({})", config.ip().getHostAddress(), port(), config.url());
    }

    /**
     * The console's limits, for every listener: a request's headers must arrive within
     * {@link #HEADERS_WITHIN}, each read and write of a connection make progress within
     * {@link #READ_WRITE_TIMEOUT}, an idle keep-alive connection is closed after {@link #IDLE};
     * headers are at most 16 KB, bodies (forms and JSON alike) at most {@link #MAX_BODY_BYTES}; and
     * at most {@link #MAX_CONNECTIONS} connections are open at once, so a flood of sockets cannot
     * take the file descriptors SMTP, AMQP and JDBC need.
     */
    static void limits(Undertow.Builder builder) {
        builder.setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) HEADERS_WITHIN.toMillis())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) IDLE.toMillis())
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, (int) IDLE.toMillis())
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
                .setServerOption(UndertowOptions.MAX_HEADERS, 100)
                .setServerOption(UndertowOptions.MAX_COOKIES, 50)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 200)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) MAX_BODY_BYTES)
                .setServerOption(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE, (long) MAX_BODY_BYTES)
                .setSocketOption(Options.READ_TIMEOUT, (int) READ_WRITE_TIMEOUT.toMillis())
                .setSocketOption(Options.WRITE_TIMEOUT, (int) READ_WRITE_TIMEOUT.toMillis())
                .setSocketOption(Options.CONNECTION_HIGH_WATER, MAX_CONNECTIONS)
                .setSocketOption(Options.CONNECTION_LOW_WATER, MAX_CONNECTIONS * 9 / 10);
    }

    /** Feeds the per-minute rates; a failure must not end the schedule. */
    private void sample() {
        try {
            instance.relay().get().ifPresent(status -> rates.sample(clock.instant(), status.counts()));
        } catch (RuntimeException e) {
            log.debug("console: sampling the counters failed: {}", e.toString());
        }
    }

    /** The port actually listened on (differs from the configured one when that was 0 in tests). */
    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        if (server != null) {
            server.stop();
        }
    }

    /** What /health and the overview say when cluster-secret is not set. */
    static final String UNSIGNED_WARNING = "cluster traffic is unsigned: anyone who can publish on the cluster exchange can "
            + "announce an instance or forward mail; set cluster-secret (the same on every instance)";

    private void health(HttpServerExchange exchange) throws JsonProcessingException {
        boolean up = instance.links().stream().allMatch(link -> link.state() == LinkState.UP);
        // Blocked (a broker alarm) or a consumer resubscribing: running, but not doing all it should.
        boolean degraded = !up && instance.links().stream().allMatch(link -> link.state() == LinkState.UP
                || link.state() == LinkState.BLOCKED || !link.isConnection());
        var links = instance.links().stream().map(link -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("name", link.name());
            entry.put("address", link.address());
            link.node().ifPresent(node -> entry.put("node", node));
            entry.put("state", link.state().name().toLowerCase(Locale.ROOT));
            link.problem().ifPresent(p -> entry.put("problem", p));
            return entry;
        }).toList();
        var cluster = instance.cluster().get();
        // A contested IP or a taken server-id is an error: the instance runs, but not as configured.
        if (up && !cluster.conflicts().isEmpty()) {
            up = false;
            degraded = true;
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("status", up ? "up" : degraded ? "degraded" : "down");
        body.put("server", instance.serverId());
        body.put("version", instance.version());
        body.put("configVersion", instance.settingsVersion().getAsLong());
        body.put("links", links);
        body.put("clusterTraffic", instance.clusterSigned() ? "signed" : "unsigned");
        if (!cluster.conflicts().isEmpty()) {
            body.put("errors", cluster.conflicts().stream().map(PeerDirectory.Conflict::describe).toList());
        }
        var warnings = new java.util.ArrayList<String>();
        if (!instance.clusterSigned()) {
            warnings.add(UNSIGNED_WARNING);
        }
        cluster.clocks().forEach(offset -> warnings.add(offset.describe()));
        if (!warnings.isEmpty()) {
            body.put("warnings", warnings);
        }
        Responses.json(exchange, up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
    }

    /** The delivery engine's counters and lanes, as JSON: the small API the console pages build on. */
    private void relay(HttpServerExchange exchange) throws JsonProcessingException {
        var status = instance.relay().get();
        if (status.isEmpty()) {
            Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "not ready", "the relay is not running yet");
            return;
        }
        var relay = status.get();
        var body = new LinkedHashMap<String, Object>();
        body.put("counts", relay.counts());
        body.put("connections", relay.connections());
        body.put("waiting", relay.waiting());
        body.put("unsettled", relay.unsettled());
        body.put("prefetch", relay.prefetch());
        body.put("lanes", relay.lanes().stream().limit(100).map(lane -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("ip", lane.key().ip().getHostAddress());
            entry.put("domain", lane.key().domain().name());
            entry.put("waiting", lane.depth());
            entry.put("connections", lane.connections());
            entry.put("delivered", lane.delivered());
            entry.put("temporary", lane.temporary());
            entry.put("permanent", lane.permanent());
            entry.put("pipelining", lane.pipelining());
            return entry;
        }).toList());
        Responses.json(exchange, StatusCodes.OK, body);
    }

    /** {@code /api/status}: what the overview shows, as JSON. */
    private void status(HttpServerExchange exchange) throws JsonProcessingException {
        var now = clock.instant();
        var body = new LinkedHashMap<String, Object>();
        body.put("server", instance.serverId());
        body.put("hostname", instance.hostname());
        body.put("version", instance.version());
        body.put("started", instance.started().toString());
        body.put("uptimeSeconds", Duration.between(instance.started(), now).toSeconds());
        body.put("configVersion", instance.settingsVersion().getAsLong());
        body.put("ips", instance.ips().stream().map(ip -> ip.getHostAddress()).toList());
        body.put("links", instance.links().stream().map(link -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("name", link.name());
            entry.put("address", link.address());
            entry.put("node", link.node().orElse(null));
            entry.put("state", link.state().name().toLowerCase(Locale.ROOT));
            entry.put("problem", link.problem().orElse(null));
            return entry;
        }).toList());
        var depth = instance.outboxDepth().get();
        body.put("outboxDepth", depth.isPresent() ? depth.getAsLong() : null);
        body.put("cluster", clusterJson(instance.cluster().get()));
        instance.relay().get().ifPresent(relay -> {
            body.put("counts", relay.counts());
            body.put("connections", relay.connections());
            body.put("perMinute", rates.perMinute(now, relay.counts()).orElse(null));
            body.put("refusing", relay.refusing().stream().map(problem -> {
                var entry = new LinkedHashMap<String, Object>();
                entry.put("queue", problem.queue());
                entry.put("reason", problem.reason());
                entry.put("count", problem.count());
                entry.put("since", problem.since().toString());
                entry.put("last", problem.last().toString());
                return entry;
            }).toList());
        });
        Responses.json(exchange, StatusCodes.OK, body);
    }

    /** The cluster's conflicts, clocks and forward queues as JSON, for {@code /api/status} and {@code /api/cluster}. */
    static Map<String, Object> clusterJson(ClusterHealth cluster) {
        var body = new LinkedHashMap<String, Object>();
        body.put("conflicts", cluster.conflicts().stream().map(conflict -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("kind", conflict.kind());
            entry.put("subject", conflict.subject());
            entry.put("claimants", conflict.claimants());
            entry.put("since", conflict.since().toString());
            entry.put("description", conflict.describe());
            return entry;
        }).toList());
        body.put("clocks", cluster.clocks().stream().map(offset -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("server", offset.server());
            entry.put("offsetMillis", offset.offset().toMillis());
            entry.put("seen", offset.seen().toString());
            entry.put("rejected", offset.rejected());
            entry.put("description", offset.describe());
            return entry;
        }).toList());
        body.put("forwardQueues", cluster.forwardQueues().stream().map(queue -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("server", queue.server());
            entry.put("queue", queue.queue());
            entry.put("depth", queue.depth().isPresent() ? queue.depth().getAsLong() : null);
            entry.put("state", queue.state());
            entry.put("silentSince", queue.silentSince().map(Object::toString).orElse(null));
            return entry;
        }).toList());
        body.put("replaysDropped", cluster.replays());
        body.put("forwardsRefused", cluster.refused());
        body.put("drained", cluster.drained());
        return body;
    }

    /** {@code /api/cluster}: every live instance, this one first. */
    private void cluster(HttpServerExchange exchange, ConsolePages pages) throws JsonProcessingException {
        var members = pages.members();
        long newest = members.stream().mapToLong(Pages.Member::configVersion).max().orElse(0);
        var body = new LinkedHashMap<String, Object>();
        body.put("newestConfigVersion", newest);
        body.put("instances", members.stream().map(member -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("server", member.serverId());
            entry.put("self", member.self());
            entry.put("hostname", member.hostname());
            entry.put("ips", member.ips());
            entry.put("console", member.console());
            entry.put("version", member.version());
            entry.put("configVersion", member.configVersion());
            entry.put("behind", member.configVersion() < newest);
            entry.put("lastSeen", member.lastSeen().map(Object::toString).orElse(null));
            return entry;
        }).toList());
        body.putAll(clusterJson(instance.cluster().get()));
        Responses.json(exchange, StatusCodes.OK, body);
    }
}
