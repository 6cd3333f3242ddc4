package dev.ferrymta.relay.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.FloodGuard;
import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.WatchedConsumer;
import dev.ferrymta.relay.delivery.Admission;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.delivery.DeliveryJob;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.delivery.Lanes;
import dev.ferrymta.relay.delivery.RetrySchedule;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on each outbox message (docs/ARCHITECTURE.md, "A message's way out"): asks
 * {@link OutboxRouting} what is to become of it, then does it (a lane here, a peer, a delay
 * queue, a failure result) and hands what replaces the message to the {@link Settler}, which acks
 * only once that is stored. A message whose earlier delivery was attempted and could not be acked
 * is settled with that attempt's outcome instead of being sent again. A confirmed result or forward
 * is noted in the {@link RecentResults}.
 */
public final class OutboxHandler implements WatchedConsumer.Handler {

    private static final Logger log = LoggerFactory.getLogger(OutboxHandler.class);

    /** A message whose handling failed goes back to the outbox after this wait per failure, not at once. */
    static final Duration HANDLER_FAILURE_WAIT = Duration.ofSeconds(1);

    private final CurrentSettings settings;
    private final OutboxRouting routing;
    private final Lanes lanes;
    private final PeerRouter router;
    private final ResultPublisher publisher;
    private final Settler settler;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final RelayCounters counters;
    private final RecentResults recent;
    private final ScheduledExecutorService timer;
    private final LongSupplier brokerLimit;
    private final FloodGuard invalidLog;
    private final AtomicInteger roundRobin = new AtomicInteger();

    /**
     * @param timer       for the handing back of messages whose handling failed
     * @param brokerLimit the broker's {@code max_message_size} once known
     */
    public OutboxHandler(CurrentSettings settings, OutboxRouting routing, Lanes lanes, PeerRouter router, ResultPublisher publisher,
            Settler settler, RetrySchedule schedule, Clock clock, RelayCounters counters, RecentResults recent,
            ScheduledExecutorService timer, LongSupplier brokerLimit) {
        this.settings = settings;
        this.routing = routing;
        this.lanes = lanes;
        this.router = router;
        this.publisher = publisher;
        this.settler = settler;
        this.schedule = schedule;
        this.clock = clock;
        this.counters = counters;
        this.recent = recent;
        this.timer = timer;
        this.brokerLimit = brokerLimit;
        this.invalidLog = FloodGuard.standard(clock);
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

    /**
     * Handling {@code inbound} threw: hand it back after a wait, or, from the
     * {@value WatchedConsumer#MAX_HANDLER_FAILURES}th failure on, settle it with a failure result
     * that names the error, so a message Ferry cannot handle never circles.
     */
    @Override
    public void failed(InboundMessage inbound, Throwable error, int failures, boolean last) {
        if (!last) {
            counters.handedBack.increment();
            try {
                timer.schedule(inbound::requeue, HANDLER_FAILURE_WAIT.toMillis() * failures, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                inbound.requeue();
            }
            return;
        }
        counters.failed.increment();
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(),
                "Ferry could not handle this message (" + failures + " tries): " + error);
        Optional<ObjectNode> json;
        try {
            json = inbound.parsed() instanceof ParsedMessage.Valid valid ? Optional.of(valid.message().json()) : Optional.empty();
        } catch (RuntimeException | Error parseFailed) {
            json = Optional.empty(); // the body goes into the result as text
        }
        settler.settle(settler.open(inbound), publisher.invalid(json, inbound.body(), attempt), reason -> List.of(), () -> {
        });
    }

    /**
     * Ends {@code inbound} with a failure result naming {@code reason}, without any attempt: a
     * forward that cannot be trusted (see {@link Intake#refuse}).
     */
    public void refuse(InboundMessage inbound, String reason) {
        counters.received.increment();
        var settlement = settler.open(inbound);
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(), reason);
        if (inbound.parsed() instanceof ParsedMessage.Valid valid) {
            var message = valid.message();
            counters.failed.increment();
            log.info("failed for good to {}: {}", message.recipient(), reason);
            var noted = RecentResult.of(RecentResult.Outcome.FAILED, message, message.attempts(), attempt);
            // No failure notice: the forward is not trusted, and a notice to whatever its envelope says would be backscatter.
            settler.settle(settlement, publisher.failed(message.json(), message.queues(), message.keepMime(), List.of(attempt)),
                    why -> List.of(), () -> recent.record(noted));
            return;
        }
        counters.invalid.increment();
        counters.failed.increment();
        settler.settle(settlement, publisher.invalid(Optional.empty(), inbound.body(), attempt), why -> List.of(), () -> {
        });
    }

    private void handle(InboundMessage inbound, boolean inOrder) {
        counters.received.increment();
        if (settler.settleRedelivery(inbound)) {
            return;
        }
        var settlement = settler.open(inbound);
        var decision = routing.decide(inbound.parsed(), inbound.body().length, brokerLimit.getAsLong(), settings.get(),
                clock.instant(), roundRobin.getAndIncrement());
        switch (decision) {
            case Routing.Invalid invalid -> rejectInvalid(settlement, invalid);
            case Routing.GiveUp giveUp -> giveUp(settlement, giveUp.message(), giveUp.message().attempts(), new ArrayList<>(),
                    giveUp.result(), giveUp.reason());
            case Routing.Defer defer -> settler.settle(settlement, publisher.defer(defer.message().json(), defer.notBefore(),
                    inbound.properties()), reason -> cannotKeep(defer.message(), reason), () -> {
                    });
            case Routing.Retry retry -> temporary(settlement, retry.message(), retry.attempt());
            case Routing.Forward forward -> forward(settlement, forward.message(), forward.ips());
            case Routing.DeliverHere here -> {
                var job = new Job(settlement, here.message());
                var admission = lanes.offer(here.key(), job);
                while (inOrder && admission instanceof Admission.Full) {
                    if (!pauseBriefly()) {
                        counters.handedBack.increment();
                        inbound.requeue();
                        return;
                    }
                    admission = lanes.offer(here.key(), job);
                }
                switch (admission) {
                    case Admission.Accepted accepted -> {
                    }
                    case Admission.Deferred deferred -> defer(settlement, here.message(), deferred.notBefore(), deferred.why());
                    case Admission.Full full -> defer(settlement, here.message(), full.retryAt(), full.why());
                }
            }
        }
    }

    private void rejectInvalid(Settlement settlement, Routing.Invalid decision) {
        var invalid = decision.invalid();
        counters.invalid.increment();
        counters.failed.increment();
        invalidLog.log(suffix -> log.info("invalid outbox message, published as a failure: {}{}", invalid.description(), suffix));
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, clock.instant(), invalid.description());
        settler.settle(settlement, publisher.invalid(invalid.json(), settlement.inbound().body(), attempt), reason -> List.of(),
                () -> recent.record(RecentResult.invalid(invalid.json(), attempt)));
    }

    private void forward(Settlement settlement, OutboxMessage message, List<InetAddress> ips) {
        // A confirmed forward is as final as an SMTP transaction: the owner delivers it. Should the
        // outbox delivery be lost meanwhile, its redelivery is settled, not forwarded again.
        settler.attempting(settlement);
        switch (router.forward(settlement.inbound(), message, ips)) {
            case PeerRouter.Route.Forwarded forwarded -> forwarded.confirmed().whenComplete((done, error) -> {
                if (error == null) {
                    settler.settle(settlement, List.of(), reason -> List.of(), () -> {
                        counters.forwarded.increment();
                        recent.record(RecentResult.forwarded(message, ips, clock.instant()));
                    });
                } else {
                    temporary(settlement, message, Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(),
                            "forwarding to the owner of " + PeerRouter.describe(ips) + " failed: " + Settler.cause(error).getMessage()));
                }
            });
            case PeerRouter.Route.Refused refused -> temporary(settlement, message, Attempt.local(AttemptState.PROCESS,
                    AttemptResult.ERROR, clock.instant(), "needs source IP " + PeerRouter.describe(ips) + ": " + refused.reason()));
            case PeerRouter.Route.Unowned unowned -> giveUp(settlement, message, message.attempts(), new ArrayList<>(),
                    AttemptResult.ERROR, "needs source IP " + PeerRouter.describe(ips) + ": " + unowned.reason());
        }
    }

    private void defer(Settlement settlement, OutboxMessage message, Instant notBefore, String why) {
        counters.deferred.increment();
        log.debug("deferring {} until {}: {}", message.recipient(), notBefore, why);
        settler.settle(settlement, publisher.defer(message.json(), notBefore, settlement.inbound().properties()),
                reason -> cannotKeep(message, reason), () -> {
                });
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

    private void completed(Settlement settlement, OutboxMessage message, DeliveryOutcome outcome) {
        var json = message.json();
        switch (outcome) {
            case DeliveryOutcome.Delivered delivered -> {
                counters.delivered.increment();
                log.info("delivered to {} from {} via {}: {}", message.recipient(), address(delivered.attempt().from()),
                        address(delivered.attempt().to()), delivered.attempt().description());
                var noted = RecentResult.of(RecentResult.Outcome.DELIVERED, message, message.attempts() + 1, delivered.attempt());
                settler.settle(settlement, publisher.delivered(json, message.queues(), message.keepMime(), delivered.attempt()),
                        reason -> List.of(), () -> recent.record(noted));
            }
            case DeliveryOutcome.PermanentFailure failure -> {
                counters.failed.increment();
                log.info("failed for good to {} from {}: {} {}", message.recipient(), address(failure.attempt().from()),
                        failure.attempt().state().json(), failure.attempt().description());
                var noted = RecentResult.of(RecentResult.Outcome.FAILED, message, message.attempts() + 1, failure.attempt());
                settler.settle(settlement, failedForGood(message, json, List.of(failure.attempt())),
                        reason -> List.of(), () -> recent.record(noted));
            }
            case DeliveryOutcome.TemporaryFailure failure -> temporary(settlement, message, failure.attempt());
        }
    }

    /** Failed for now: again later through a delay queue, unless the message's limits end it here. */
    private void temporary(Settlement settlement, OutboxMessage message, Attempt attempt) {
        int made = message.attempts() + 1;
        var now = clock.instant();
        var first = firstAttempt(message.json()).orElse(attempt.time());
        var next = schedule.next(message.retries(), message.maxAttempts().orElse(0), message.maxDeliverTime(), made, first, now);
        if (next.isPresent()) {
            counters.retried.increment();
            log.debug("will try {} again at {}: {}", message.recipient(), next.get(), attempt.description());
            var noted = RecentResult.of(RecentResult.Outcome.RETRY, message, made, attempt);
            settler.settle(settlement, publisher.retry(message.json(), message.queues(), message.keepMime(), attempt, next.get(),
                    settlement.inbound().properties()), reason -> cannotRetry(message, made, attempt, reason), () -> recent.record(noted));
            return;
        }
        var attempts = new ArrayList<Attempt>(List.of(attempt));
        giveUp(settlement, message, made, attempts, AttemptResult.TIMEOUT, schedule.attemptsUsedUp(message.maxAttempts().orElse(0), made)
                ? "gave up after " + made + " attempts"
                : "gave up: the next attempt would come after " + message.maxDeliverTime().map(ResultJson::time)
                        .map(t -> "its maxdelivertime " + t).orElse("max-delivertime " + schedule.defaultMaxAge() + " since the first attempt"));
    }

    /**
     * The message's own copy for its next attempt can never be stored (larger than the broker
     * takes): the attempt is its last, and a failure result says so.
     */
    private List<Publish> cannotRetry(OutboxMessage message, int made, Attempt attempt, String reason) {
        counters.failed.increment();
        var closing = Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(),
                "gave up: the copy for the next attempt cannot be stored on the broker: " + reason);
        log.info("failed for good to {}: {}", message.recipient(), closing.description());
        recent.record(RecentResult.of(RecentResult.Outcome.FAILED, message, made, closing));
        return failedForGood(message, message.json(), List.of(attempt, closing));
    }

    /** The same for a message that was not attempted: it cannot wait on the broker, so it fails. */
    private List<Publish> cannotKeep(OutboxMessage message, String reason) {
        counters.failed.increment();
        var closing = Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, clock.instant(),
                "gave up: the message cannot be kept on the broker for a later attempt: " + reason);
        log.info("failed for good to {}: {}", message.recipient(), closing.description());
        recent.record(RecentResult.of(RecentResult.Outcome.FAILED, message, message.attempts(), closing));
        return failedForGood(message, message.json(), List.of(closing));
    }

    /**
     * The message's limits are reached: a failure with a closing {@code process} entry.
     *
     * @param made the delivery attempts made, the one in {@code attempts} included
     */
    private void giveUp(Settlement settlement, OutboxMessage message, int made, List<Attempt> attempts, AttemptResult result,
            String reason) {
        counters.failed.increment();
        var closing = Attempt.local(AttemptState.PROCESS, result, clock.instant(), reason);
        attempts.add(closing);
        log.info("failed for good to {}: {}", message.recipient(), reason);
        var noted = RecentResult.of(RecentResult.Outcome.FAILED, message, made, closing);
        settler.settle(settlement, failedForGood(message, message.json(), attempts),
                why -> List.of(), () -> recent.record(noted));
    }

    /** The results of a message failed for good, and the failure notice it asked for, if it did. */
    private List<Publish> failedForGood(OutboxMessage message, ObjectNode json, List<Attempt> attempts) {
        var all = new ArrayList<Publish>(publisher.failed(json, message.queues(), message.keepMime(), attempts));
        all.addAll(publisher.failureNotice(message, attempts));
        return all;
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

    private static String address(Optional<InetAddress> ip) {
        return ip.map(InetAddress::getHostAddress).orElse("-");
    }

    /** A message in a lane; its way out goes through the handler. */
    private final class Job implements DeliveryJob {

        private final Settlement settlement;
        private final OutboxMessage message;

        Job(Settlement settlement, OutboxMessage message) {
            this.settlement = settlement;
            this.message = message;
        }

        @Override
        public OutboxMessage message() {
            return message;
        }

        @Override
        public boolean begin() {
            var inbound = settlement.inbound();
            if (!inbound.held()) {
                // Its channel is gone: the broker hands the message out again. Sending it now would
                // make a delivery that could never be acked, a certain duplicate.
                inbound.requeue();
                return false;
            }
            settler.attempting(settlement);
            return true;
        }

        @Override
        public void completed(DeliveryOutcome outcome) {
            OutboxHandler.this.completed(settlement, message, outcome);
        }

        @Override
        public void deferred(Instant notBefore, String why) {
            defer(settlement, message, notBefore, why);
        }

        @Override
        public void abandoned() {
            counters.handedBack.increment();
            settlement.inbound().requeue();
        }
    }
}
