package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.delivery.Admission;
import dev.ferrymta.relay.delivery.Attempt;
import dev.ferrymta.relay.delivery.AttemptResult;
import dev.ferrymta.relay.delivery.AttemptState;
import dev.ferrymta.relay.delivery.DeliveryJob;
import dev.ferrymta.relay.delivery.DeliveryOutcome;
import dev.ferrymta.relay.delivery.IpChoice;
import dev.ferrymta.relay.delivery.LaneKey;
import dev.ferrymta.relay.delivery.Lanes;
import dev.ferrymta.relay.delivery.RetrySchedule;
import dev.ferrymta.relay.delivery.SourceIpSelector;
import dev.ferrymta.relay.message.MessageParser;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.settings.CurrentSettings;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to each outbox message (DESIGN.md, message flow): parse and validate it, check its
 * limits and its next-attempt time, pick its source IPs, then hand it to its lane here, to the
 * owning peer, or back for later. Every way out ends in {@link #settle}: the outbox message is
 * acked only once what replaces it is confirmed, and handed back if that fails. A confirmed result
 * or forward is noted in the {@link RecentResults} as it is acked.
 */
public final class OutboxHandler implements Consumer<InboundMessage> {

    private static final Logger log = LoggerFactory.getLogger(OutboxHandler.class);

    /** A message back this much before its next attempt is close enough. */
    private static final Duration EARLY = Duration.ofMillis(500);

    private final CurrentSettings settings;
    private final SourceIpSelector selector;
    private final Lanes lanes;
    private final PeerRouter router;
    private final ResultPublisher publisher;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final RelayCounters counters;
    private final RecentResults recent;
    private final FloodGuard invalidLog;
    private final FloodGuard publishLog;
    private final AtomicInteger roundRobin = new AtomicInteger();

    public OutboxHandler(CurrentSettings settings, SourceIpSelector selector, Lanes lanes, PeerRouter router,
            ResultPublisher publisher, RetrySchedule schedule, Clock clock, RelayCounters counters, RecentResults recent) {
        this.settings = settings;
        this.selector = selector;
        this.lanes = lanes;
        this.router = router;
        this.publisher = publisher;
        this.schedule = schedule;
        this.clock = clock;
        this.counters = counters;
        this.recent = recent;
        this.invalidLog = FloodGuard.standard(clock);
        this.publishLog = FloodGuard.standard(clock);
    }

    @Override
    public void accept(InboundMessage inbound) {
        handle(inbound, false);
    }

    /**
     * Handles a message that must keep its place behind the ones before it with the same key
     * (forwarded messages): when its lane is full this waits for room instead of sending the
     * message round a delay queue. Call it from one thread per key.
     */
    public void acceptInOrder(InboundMessage inbound) {
        handle(inbound, true);
    }

    private void handle(InboundMessage inbound, boolean inOrder) {
        counters.received.increment();
        switch (MessageParser.parse(inbound.body())) {
            case ParsedMessage.Invalid invalid -> rejectInvalid(inbound, invalid);
            case ParsedMessage.Valid valid -> route(inbound, valid.message(), inOrder);
        }
    }

    private void rejectInvalid(InboundMessage inbound, ParsedMessage.Invalid invalid) {
        counters.invalid.increment();
        counters.failed.increment();
        invalidLog.log(suffix -> log.info("invalid outbox message, published as a failure: {}{}", invalid.description(), suffix));
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, clock.instant(), invalid.description());
        settle(inbound, RecentResult.invalid(invalid.json(), attempt), publisher.invalid(invalid.json(), inbound.body(), attempt));
    }

    private void route(InboundMessage inbound, OutboxMessage message, boolean inOrder) {
        var now = clock.instant();
        if (message.maxDeliverTime().isPresent() && now.isAfter(message.maxDeliverTime().get())) {
            giveUp(inbound, message, message.attempts(), new ArrayList<>(), "its maxdelivertime "
                    + ResultJson.time(message.maxDeliverTime().get()) + " passed before it could be tried again");
            return;
        }
        if (message.nextAttempt().isPresent() && message.nextAttempt().get().isAfter(now.plus(EARLY))) {
            // Back from a delay queue before its time (waits longer than a tier take several trips).
            settle(inbound, publisher.defer(message.json(), message.nextAttempt().get(), inbound.properties()));
            return;
        }
        var snapshot = settings.get();
        switch (selector.choose(message, snapshot)) {
            case IpChoice.None none -> temporary(inbound, message, Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, now,
                    "no source IP: " + none.reason()));
            case IpChoice.Remote remote -> forward(inbound, message, remote.ips());
            case IpChoice.Local local -> {
                var ip = pick(local.ips(), message, now);
                var key = new LaneKey(ip, message.recipient().domain());
                var job = new Job(inbound, message);
                var admission = lanes.offer(key, job);
                while (inOrder && admission instanceof Admission.Full) {
                    if (!pauseBriefly()) {
                        inbound.requeue();
                        return;
                    }
                    admission = lanes.offer(key, job);
                }
                switch (admission) {
                    case Admission.Accepted accepted -> {
                    }
                    case Admission.Deferred deferred -> defer(inbound, message, deferred.notBefore(), deferred.why());
                    case Admission.Full full -> defer(inbound, message, full.retryAt(), full.why());
                }
            }
        }
    }

    private void forward(InboundMessage inbound, OutboxMessage message, List<InetAddress> ips) {
        switch (router.forward(inbound, message, ips)) {
            case PeerRouter.Route.Forwarded forwarded -> forwarded.confirmed().whenComplete((done, error) -> {
                if (error == null) {
                    counters.forwarded.increment();
                    recent.record(RecentResult.forwarded(message, ips, clock.instant()));
                    inbound.ack();
                } else {
                    temporary(inbound, message, Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(),
                            "forwarding to the owner of " + PeerRouter.describe(ips) + " failed: " + reason(error)));
                }
            });
            case PeerRouter.Route.Refused refused -> temporary(inbound, message, Attempt.local(AttemptState.PROCESS,
                    AttemptResult.ERROR, clock.instant(), "needs source IP " + PeerRouter.describe(ips) + ": " + refused.reason()));
        }
    }

    private void defer(InboundMessage inbound, OutboxMessage message, Instant notBefore, String why) {
        counters.deferred.increment();
        log.debug("deferring {} until {}: {}", message.recipient(), notBefore, why);
        settle(inbound, publisher.defer(message.json(), notBefore, inbound.properties()));
    }

    /** Waits a little for room in a lane; false when interrupted (the relay is stopping). */
    private static boolean pauseBriefly() {
        try {
            Thread.sleep(Duration.ofMillis(10));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Round robin over the candidates, skipping those paused for this domain when another is not. */
    private InetAddress pick(List<InetAddress> ips, OutboxMessage message, Instant now) {
        int start = Math.floorMod(roundRobin.getAndIncrement(), ips.size());
        var snapshot = settings.get();
        for (int i = 0; i < ips.size(); i++) {
            var ip = ips.get((start + i) % ips.size());
            if (snapshot.pauseFor(ip, message.recipient().domain(), now).isEmpty()) {
                return ip;
            }
        }
        return ips.get(start);
    }

    private void completed(InboundMessage inbound, OutboxMessage message, DeliveryOutcome outcome) {
        var json = message.json();
        switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> {
                counters.delivered.increment();
                log.info("delivered to {} from {} via {}: {}", message.recipient(), address(delivered.attempt().from()),
                        address(delivered.attempt().to()), delivered.attempt().description());
                settle(inbound, RecentResult.of(RecentResult.Outcome.DELIVERED, message, message.attempts() + 1, delivered.attempt()),
                        publisher.delivered(json, message.queues(), message.keepMime(), delivered.attempt()));
            }
            case DeliveryOutcome.PermanentFailure failure -> {
                counters.failed.increment();
                log.info("failed for good to {} from {}: {} {}", message.recipient(), address(failure.attempt().from()),
                        failure.attempt().state().json(), failure.attempt().description());
                settle(inbound, RecentResult.of(RecentResult.Outcome.FAILED, message, message.attempts() + 1, failure.attempt()),
                        publisher.failed(json, message.queues(), message.keepMime(), List.of(failure.attempt())));
            }
            case DeliveryOutcome.TemporaryFailure failure -> temporary(inbound, message, failure.attempt());
        }
    }

    /** Failed for now: again later through a delay queue, unless the message's limits end it here. */
    private void temporary(InboundMessage inbound, OutboxMessage message, Attempt attempt) {
        int made = message.attempts() + 1;
        var now = clock.instant();
        var first = firstAttempt(message.json()).orElse(attempt.time());
        var next = schedule.next(message.retries(), message.maxAttempts().orElse(0), message.maxDeliverTime(), made, first, now);
        if (next.isPresent()) {
            counters.retried.increment();
            log.debug("will try {} again at {}: {}", message.recipient(), next.get(), attempt.description());
            settle(inbound, RecentResult.of(RecentResult.Outcome.RETRY, message, made, attempt),
                    publisher.retry(message.json(), message.queues(), message.keepMime(), attempt, next.get(), inbound.properties()));
            return;
        }
        var attempts = new ArrayList<Attempt>(List.of(attempt));
        int limit = message.maxAttempts().orElse(schedule.defaultMaxAttempts());
        giveUp(inbound, message, made, attempts, made >= limit
                ? "gave up after " + made + " attempts"
                : "gave up: the next attempt would come after " + message.maxDeliverTime().map(ResultJson::time)
                        .map(t -> "its maxdelivertime " + t).orElse("max-delivertime " + schedule.defaultMaxAge() + " since the first attempt"));
    }

    /**
     * The message's limits are reached: a failure with a closing {@code process}/{@code timeout} entry.
     *
     * @param made the delivery attempts made, the one in {@code attempts} included
     */
    private void giveUp(InboundMessage inbound, OutboxMessage message, int made, List<Attempt> attempts, String reason) {
        counters.failed.increment();
        var closing = Attempt.local(AttemptState.PROCESS, AttemptResult.TIMEOUT, clock.instant(), reason);
        attempts.add(closing);
        log.info("failed for good to {}: {}", message.recipient(), reason);
        settle(inbound, RecentResult.of(RecentResult.Outcome.FAILED, message, made, closing),
                publisher.failed(message.json(), message.queues(), message.keepMime(), attempts));
    }

    /** Settles a message whose outcome was published: noted among the recent results once confirmed. */
    private void settle(InboundMessage inbound, RecentResult outcome, CompletableFuture<Void> published) {
        settle(inbound, published.thenRun(() -> recent.record(outcome)));
    }

    private void settle(InboundMessage inbound, CompletableFuture<Void> replaced) {
        replaced.whenComplete((done, error) -> {
            if (error == null) {
                inbound.ack();
                return;
            }
            counters.publishFailures.increment();
            publishLog.log(suffix -> log.warn("the broker did not confirm a result or retry ({}); handing the message back{}",
                    reason(error), suffix));
            inbound.requeue();
        });
    }

    /** When the message was first tried: the time of its first recorded attempt. */
    private static Optional<Instant> firstAttempt(ObjectNode json) {
        var results = json.get("results");
        if (results == null || !results.isArray() || results.isEmpty()) {
            return Optional.empty();
        }
        var time = results.get(0).get("time");
        if (time == null || !time.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(time.textValue(), MessageParser.TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String reason(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause().getMessage() : error.getMessage();
    }

    private static String address(Optional<InetAddress> ip) {
        return ip.map(InetAddress::getHostAddress).orElse("-");
    }

    /** A message in a lane; its way out goes through the handler. */
    private final class Job implements DeliveryJob {

        private final InboundMessage inbound;
        private final OutboxMessage message;

        Job(InboundMessage inbound, OutboxMessage message) {
            this.inbound = inbound;
            this.message = message;
        }

        @Override
        public OutboxMessage message() {
            return message;
        }

        @Override
        public void completed(DeliveryOutcome outcome) {
            OutboxHandler.this.completed(inbound, message, outcome);
        }

        @Override
        public void deferred(Instant notBefore, String why) {
            defer(inbound, message, notBefore, why);
        }

        @Override
        public void abandoned() {
            inbound.requeue();
        }
    }
}
