package dev.ferrymta.console;

import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.outbox.RelayStatus;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * {@code GET /metrics}: the instance's figures for Prometheus, in the text exposition format
 * ({@code text/plain; version=0.0.4}), or OpenMetrics when the scraper's {@code Accept} asks for
 * it. Every metric reads the relay's own counters at scrape time (callbacks, nothing counted
 * twice); those of the relay are absent while it does not run.
 *
 * <p>The official client library ({@code prometheus-metrics-core}, {@code
 * prometheus-metrics-exposition-textformats}, no protobuf) writes the format: name and label
 * escaping, {@code _total} suffixes and content negotiation are its job, and histograms (attempt
 * durations) can come later without a writer of our own.
 */
public final class MetricsEndpoint {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * @param instance the instance: its relay, links, settings version, start, peers, outbox depth and dropped cluster messages
     * @param clock    for the uptime
     */
    public MetricsEndpoint(InstanceInfo instance, Clock clock) {
        var info = Info.builder().name("ferry_info").help("The instance: its server-id and software version (always 1)")
                .labelNames("server", "version").build();
        info.setLabelValues(instance.serverId(), instance.version());
        registry.register(info);
        CounterWithCallback.builder().name("ferry_messages_total")
                .help("Outbox messages since start: received, then what became of them (invalid ones count as failed too)")
                .labelNames("outcome")
                .callback(callback -> instance.relay().get().map(RelayStatus::counts).ifPresent(counts -> {
                    callback.call(counts.received(), "received");
                    callback.call(counts.delivered(), "delivered");
                    callback.call(counts.failed(), "failed");
                    callback.call(counts.retried(), "retried");
                    callback.call(counts.deferred(), "deferred");
                    callback.call(counts.invalid(), "invalid");
                    callback.call(counts.forwarded(), "forwarded");
                }))
                .register(registry);
        CounterWithCallback.builder().name("ferry_publish_failures_total")
                .help("Publishes (results, retry copies) the broker refused or did not confirm since start, every try counted;"
                        + " they are tried again, then parked, never sent over SMTP again")
                .callback(callback -> instance.relay().get().ifPresent(relay -> callback.call(relay.counts().publishFailures())))
                .register(registry);
        CounterWithCallback.builder().name("ferry_settling_total")
                .help("How refused publishes ended since start: retried after a wait, parked in <outbox>.parked, lost (too large"
                        + " even to park); redeliveries settled without a second attempt; messages handed back to the outbox")
                .labelNames("event")
                .callback(callback -> instance.relay().get().map(RelayStatus::counts).ifPresent(counts -> {
                    callback.call(counts.publishRetries(), "retried");
                    callback.call(counts.parked(), "parked");
                    callback.call(counts.resultsLost(), "lost");
                    callback.call(counts.redeliveriesSettled(), "redelivery_settled");
                    callback.call(counts.handedBack(), "handed_back");
                }))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_queue_refusing")
                .help("Queues the broker refuses Ferry's publishes to now (1 each), by queue")
                .labelNames("queue")
                .callback(callback -> instance.relay().get().ifPresent(relay -> relay.refusing()
                        .forEach(problem -> callback.call(1, problem.queue()))))
                .register(registry);
        relayGauge(instance, "ferry_smtp_connections", "Open SMTP connections", RelayStatus::connections);
        relayGauge(instance, "ferry_lane_messages_waiting", "Messages waiting in lanes for a connection", RelayStatus::waiting);
        relayGauge(instance, "ferry_outbox_unsettled", "Outbox messages taken and not yet acked or handed back",
                RelayStatus::unsettled);
        relayGauge(instance, "ferry_outbox_prefetch",
                "The outbox consumers' prefetch together: at most rabbitmq-consumers times rabbitmq-qos, less while messages are large",
                RelayStatus::prefetch);
        GaugeWithCallback.builder().name("ferry_outbox_queue_messages")
                .help("Messages ready in the outbox queue, as the broker last said (asked at most every few seconds)")
                .callback(callback -> instance.outboxDepth().get().ifPresent(callback::call))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_settings_version").help("The shared settings version in force (0 before the first load)")
                .callback(callback -> callback.call(instance.settingsVersion().getAsLong()))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_link_up")
                .help("Whether the link to a service the instance depends on is up (1) or not (0)")
                .labelNames("link")
                .callback(callback -> instance.links().forEach(link -> callback.call(link.state() == LinkState.UP ? 1 : 0, link.name())))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_uptime_seconds").unit(Unit.SECONDS).help("Seconds since the instance started")
                .callback(callback -> callback.call(Duration.between(instance.started(), clock.instant()).toMillis() / 1000.0))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_cluster_peers").help("Other instances of the cluster alive now")
                .callback(callback -> callback.call(instance.peers().get().size()))
                .register(registry);
        CounterWithCallback.builder().name("ferry_cluster_rejected_total")
                .help("Cluster messages dropped since start as unsigned, wrongly signed, stale or malformed, by where they came")
                .labelNames("source")
                .callback(callback -> {
                    callback.call(instance.rejectedControl().getAsLong(), "control");
                    callback.call(instance.rejectedForward().getAsLong(), "forward");
                })
                .register(registry);
    }

    private void relayGauge(InstanceInfo instance, String name, String help, ToLongFunction<RelayStatus> value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> instance.relay().get().ifPresent(relay -> callback.call(value.applyAsLong(relay))))
                .register(registry);
    }

    /**
     * Adds {@code GET /metrics}, behind {@code protect}. A scrape runs on a worker thread: the
     * outbox depth may ask the broker.
     */
    public RoutingHandler routes(RoutingHandler routes, Function<HttpHandler, HttpHandler> protect) {
        return routes.get("/metrics", protect.apply(new BlockingHandler(this::scrape)));
    }

    private void scrape(HttpServerExchange exchange) throws IOException {
        var accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            // The protobuf format is asked for, and left out on purpose: the text format is always understood.
            writer = formats.getPrometheusTextFormatWriter();
        }
        var body = new ByteArrayOutputStream(4096);
        writer.write(body, registry.scrape(), EscapingScheme.fromAcceptHeader(accept));
        exchange.setStatusCode(StatusCodes.OK);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        Responses.send(exchange, writer.getContentType(), body.toString(StandardCharsets.UTF_8));
    }
}
