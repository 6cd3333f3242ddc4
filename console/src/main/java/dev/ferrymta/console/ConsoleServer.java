package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import dev.ferrymta.relay.lifecycle.LinkState;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's web server: {@code /} shows the instance's status, {@code /health} reports the
 * broker and database links as JSON (200 when all are up, 503 otherwise, for load balancers and
 * monitoring). With {@code www-password} set, everything but {@code /health} asks for it.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsoleConfig config;
    private final InstanceInfo instance;
    private final Clock clock;
    private Undertow server;

    public ConsoleServer(ConsoleConfig config, InstanceInfo instance, Clock clock) {
        this.config = config;
        this.instance = instance;
        this.clock = clock;
    }

    /** Starts listening; a taken port is an {@link IllegalStateException} naming the address. */
    public void start() {
        var routes = new RoutingHandler()
                .get("/health", this::health)
                .get("/", protect(this::status))
                .get("/api/relay", protect(this::relay))
                .setFallbackHandler(protect(exchange -> {
                    exchange.setStatusCode(StatusCodes.NOT_FOUND);
                    send(exchange, "text/plain; charset=utf-8", "not found\n");
                }));
        new SettingsApi(instance.editor()).routes(routes, this::protect);
        var built = Undertow.builder()
                .addHttpListener(config.port(), config.ip().getHostAddress())
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(routes)
                .build();
        try {
            built.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("console: cannot listen on %s:%d: %s"
                    .formatted(config.ip().getHostAddress(), config.port(), ConnectLoop.reason(e)), e);
        }
        server = built;
        log.info("console listening on {}:{} ({})", config.ip().getHostAddress(), port(), config.url());
    }

    /** The port actually listened on (differs from the configured one when that was 0 in tests). */
    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

    private void health(HttpServerExchange exchange) throws JsonProcessingException {
        boolean up = instance.links().stream().allMatch(link -> link.state() == LinkState.UP);
        var links = instance.links().stream().map(link -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("name", link.name());
            entry.put("address", link.address());
            entry.put("state", link.state().name().toLowerCase(java.util.Locale.ROOT));
            link.problem().ifPresent(p -> entry.put("problem", p));
            return entry;
        }).toList();
        var body = new LinkedHashMap<String, Object>();
        body.put("status", up ? "up" : "down");
        body.put("server", instance.serverId());
        body.put("version", instance.version());
        body.put("configVersion", instance.settingsVersion().getAsLong());
        body.put("links", links);
        exchange.setStatusCode(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        send(exchange, "application/json", JSON.writeValueAsString(body));
    }

    /** The delivery engine's counters and lanes, as JSON: the small API the console pages build on. */
    private void relay(HttpServerExchange exchange) throws JsonProcessingException {
        var status = instance.relay().get();
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (status.isEmpty()) {
            exchange.setStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
            send(exchange, "application/json", "{\"error\":\"the relay is not running yet\"}");
            return;
        }
        var relay = status.get();
        var body = new LinkedHashMap<String, Object>();
        body.put("counts", relay.counts());
        body.put("connections", relay.connections());
        body.put("waiting", relay.waiting());
        body.put("unsettled", relay.unsettled());
        body.put("lanes", relay.lanes().stream().limit(100).map(lane -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("ip", lane.key().ip().getHostAddress());
            entry.put("domain", lane.key().domain().name());
            entry.put("waiting", lane.depth());
            entry.put("connections", lane.connections());
            entry.put("delivered", lane.delivered());
            entry.put("temporary", lane.temporary());
            entry.put("permanent", lane.permanent());
            return entry;
        }).toList());
        send(exchange, "application/json", JSON.writeValueAsString(body));
    }

    private String deliverySection() {
        var status = instance.relay().get();
        if (status.isEmpty()) {
            return "<h2>Delivery</h2><p>Not running yet.</p>";
        }
        var relay = status.get();
        var counts = relay.counts();
        var lanes = new StringBuilder();
        relay.lanes().stream().limit(10).forEach(lane -> lanes.append("<tr><td>").append(Html.escape(lane.key().ip().getHostAddress()))
                .append("</td><td>").append(Html.escape(lane.key().domain().name()))
                .append("</td><td>").append(lane.depth()).append("</td><td>").append(lane.connections())
                .append("</td><td>").append(lane.delivered()).append("</td><td>").append(lane.temporary())
                .append("</td><td>").append(lane.permanent()).append("</td></tr>\n"));
        return """
                <h2>Delivery</h2>
                <p>Delivered %d, failed %d (invalid %d), retried %d, deferred %d, forwarded %d.
                Open connections %d, waiting in lanes %d, outbox messages in hand %d.</p>
                <table><tr><th>Source IP</th><th>Domain</th><th>Waiting</th><th>Connections</th><th>Delivered</th>
                <th>Temporary</th><th>Permanent</th></tr>
                %s</table>
                """.formatted(counts.delivered(), counts.failed(), counts.invalid(), counts.retried(), counts.deferred(),
                counts.forwarded(), relay.connections(), relay.waiting(), relay.unsettled(), lanes);
    }

    private void status(HttpServerExchange exchange) {
        var uptime = Duration.between(instance.started(), clock.instant()).withNanos(0);
        var rows = new StringBuilder();
        for (var link : instance.links()) {
            rows.append("<tr><td>").append(Html.escape(link.name()))
                    .append("</td><td>").append(Html.escape(link.address()))
                    .append("</td><td class=\"").append(link.state() == LinkState.UP ? "up" : "down").append("\">")
                    .append(Html.escape(link.state().name().toLowerCase(java.util.Locale.ROOT)))
                    .append("</td><td>").append(Html.escape(link.problem().orElse("")))
                    .append("</td></tr>\n");
        }
        var ips = instance.ips().isEmpty() ? "none"
                : String.join(", ", instance.ips().stream().map(ip -> ip.getHostAddress()).toList());
        var page = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Ferry %1$s</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem}
                table{border-collapse:collapse;width:100%%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}
                .up{color:#176f2c}.down{color:#b3261e;font-weight:bold}
                </style></head><body>
                <h1>Ferry <small>%1$s</small></h1>
                <p>Version %2$s, up %3$s. Source IPs: %4$s. Settings version %6$d.</p>
                <h2>Links</h2>
                <table><tr><th>Service</th><th>Address</th><th>State</th><th>Problem</th></tr>
                %5$s</table>
                %7$s
                <p><a href="/health">/health</a> · <a href="/api/relay">/api/relay</a></p>
                </body></html>
                """.formatted(Html.escape(instance.serverId()), Html.escape(instance.version()),
                Html.escape(uptime.toString().substring(2).toLowerCase(java.util.Locale.ROOT)), Html.escape(ips), rows,
                instance.settingsVersion().getAsLong(), deliverySection());
        send(exchange, "text/html; charset=utf-8", page);
    }

    /** With a password set, asks for it (HTTP Basic, any user name) and compares in constant time. */
    private HttpHandler protect(HttpHandler next) {
        if (config.password().isEmpty()) {
            return next;
        }
        var expected = config.password().get().getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            if (MessageDigest.isEqual(expected, basicPassword(exchange))) {
                next.handleRequest(exchange);
                return;
            }
            exchange.setStatusCode(StatusCodes.UNAUTHORIZED);
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Basic realm=\"Ferry\", charset=\"UTF-8\"");
            send(exchange, "text/plain; charset=utf-8", "this console asks for the www-password\n");
        };
    }

    private static byte[] basicPassword(HttpServerExchange exchange) {
        var header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new byte[0];
        }
        try {
            var decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new byte[0] : decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static void send(HttpServerExchange exchange, String contentType, String body) {
        Responses.send(exchange, contentType, body);
    }
}
