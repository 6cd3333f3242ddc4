package dev.ferrymta.cluster;

import com.rabbitmq.client.AMQP;
import dev.ferrymta.relay.broker.AmqpHeaders;
import dev.ferrymta.relay.broker.ConfirmingPublisher;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.PublishFailedException;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.outbox.PeerRouter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a message whose source IPs this instance does not own to the live peer that owns one:
 * published persistent and mandatory to the peer's forward queue, signed, with the origin and a hop
 * count in its headers, an id of its own under the signature (so the receiver knows a replayed copy),
 * and confirmed by the broker before the outbox message is acked. An IP claimed by more than one
 * instance is contested: nothing is forwarded to it until only one claims it. A publish
 * that fails for a passing reason (a lost channel, no confirm in time) is published again
 * with growing waits until {@code patience} runs out; the outbox message stays unacked meanwhile,
 * so nothing is lost either way. A message that was forwarded once is never forwarded again.
 */
public final class Forwarder implements PeerRouter, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    /** Header: the instance that forwarded the message. */
    public static final String ORIGIN = "x-ferry-origin";

    /** Header: how often the message was forwarded. */
    public static final String HOPS = "x-ferry-hops";

    /** The signer's type for forwarded messages. */
    public static final String TYPE = "forward";

    private final ClusterNode node;
    private final ConfirmingPublisher publisher;
    private final String exchange;
    private final Duration patience;
    private final Clock clock;
    private final dev.ferrymta.relay.FloodGuard contestedLog;
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("forward-retries").factory());

    /**
     * @param publisher on the cluster broker's connection
     * @param patience  how long a forward is retried before it counts as failed (a retry later)
     */
    public Forwarder(ClusterNode node, ConfirmingPublisher publisher, String exchange, Duration patience, Clock clock) {
        this.node = node;
        this.publisher = publisher;
        this.exchange = exchange;
        this.patience = patience;
        this.clock = clock;
        this.contestedLog = dev.ferrymta.relay.FloodGuard.standard(clock);
    }

    @Override
    public Route forward(InboundMessage message, OutboxMessage parsed, List<InetAddress> ips) {
        var headers = message.headers();
        var hops = AmqpHeaders.text(headers, HOPS).orElse("0");
        if (!hops.equals("0")) {
            return new Route.Refused("it was forwarded here by " + AmqpHeaders.text(headers, ORIGIN).orElse("another instance")
                    + " already, and a message is never forwarded twice");
        }
        ServerId server;
        switch (node.directory().route(ips)) {
            case PeerDirectory.Owner.Found found -> server = found.peer().server();
            case PeerDirectory.Owner.Contested contested -> {
                var why = "source IP " + contested.ip().getHostAddress() + " is claimed by "
                        + String.join(" and ", contested.claimants().stream().map(ServerId::value).toList())
                        + "; forwarding waits until only one instance claims it";
                contestedLog.log(suffix -> log.warn("cluster: not forwarding {}: {}{}", parsed.recipient(), why, suffix));
                return new Route.Refused(why);
            }
            case PeerDirectory.Owner.None none -> {
                return new Route.Refused("no live instance of the cluster owns it");
            }
        }
        var signed = headers(headers, message.body(), node.signer(), node.self().server().value());
        var properties = AmqpHeaders.persistentJson(signed, AmqpHeaders.priority(message.properties(), parsed.json().get("priority")));
        var confirmed = new CompletableFuture<Void>();
        // One channel per (source IPs, domain): the broker keeps the order of one lane's forwards.
        int lane = Objects.hash(ips, parsed.recipient().domain());
        send(lane, ClusterNode.forwardKey(server), properties, message.body(), confirmed, clock.instant().plus(patience),
                Backoff.standard());
        return new Route.Forwarded(confirmed);
    }

    /**
     * The headers a forward is published with: the outbox message's own, without its dead-letter
     * history, plus the signer's sender, type, id and signature (a new id per forward, under the
     * signature: the receiver knows a replayed copy by it), {@link #ORIGIN} and {@link #HOPS} 1.
     *
     * @param inbound the outbox message's headers
     * @param self    this instance's server id
     * @return a new mutable map
     */
    public static Map<String, Object> headers(Map<String, Object> inbound, byte[] body, MessageSigner signer, String self) {
        var signed = AmqpHeaders.withoutDeathHistory(inbound);
        signed.putAll(signer.sign(body, TYPE, self, UUID.randomUUID().toString()));
        signed.put(ORIGIN, self);
        signed.put(HOPS, 1);
        return signed;
    }

    private void send(int lane, String key, AMQP.BasicProperties properties, byte[] body, CompletableFuture<Void> confirmed,
            Instant deadline, Backoff backoff) {
        publisher.publish(lane, exchange, key, true, properties, body).whenComplete((done, error) -> {
            if (error == null) {
                confirmed.complete(null);
                return;
            }
            var cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            // A lost channel or a missing confirm passes with the next channel; a nack (the peer's
            // forward queue refuses: full, or a broker alarm), an unroutable or too large publish
            // does not pass by waiting here: the message gets a retry result that says why and comes
            // back through a delay queue.
            boolean passing = cause instanceof PublishFailedException failed && failed.isTransient()
                    && failed.reason() != PublishFailedException.Reason.NACKED;
            var wait = backoff.nextDelay();
            if (!passing || clock.instant().plus(wait).isAfter(deadline)) {
                confirmed.completeExceptionally(cause);
                return;
            }
            log.debug("forward to {} not confirmed ({}); again in {} ms", key, cause.getMessage(), wait.toMillis());
            try {
                retries.schedule(() -> send(lane, key, properties, body, confirmed, deadline, backoff), wait.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                confirmed.completeExceptionally(cause);
            }
        });
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
