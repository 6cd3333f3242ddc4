package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.broker.InboundMessage;
import dev.ferrymta.relay.broker.PublishFailedException;
import dev.ferrymta.relay.lifecycle.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settling step (docs/ARCHITECTURE.md, "The settle rule"): publishes what replaces an outbox
 * message, each publish confirmed, and only then acks the message. What the broker refuses is never
 * a reason to do the SMTP work again:
 * <ul>
 *   <li>a refusal that may pass (a nack, a lost channel, no confirm in time, a missing queue,
 *       which is declared again) is retried with growing waits, for up to {@code patience};</li>
 *   <li>a result that still cannot be stored then, or can never be (larger than the broker takes),
 *       is parked in the parking queue, and the message acked;</li>
 *   <li>the message's own copy for a later attempt that can never be stored is replaced by a
 *       failure result saying why; one that cannot be stored in time is parked when the message
 *       was attempted, and handed back to the outbox (once, after the patience) when it was not.</li>
 * </ul>
 * No path hands a message back for immediate redelivery.
 */
public final class Settler {

    private static final Logger log = LoggerFactory.getLogger(Settler.class);

    /** Retries a refused publish from one second up to this wait. */
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final Function<Publish, CompletableFuture<Void>> send;
    private final BiFunction<Publish, String, Publish> park;
    private final PublishProblems problems;
    private final RedeliveryGuard guard;
    private final Later timer;
    private final Clock clock;
    private final Duration patience;
    private final RelayCounters counters;
    private final Supplier<Backoff> backoffs;

    /** Runs a task after a wait; throws {@link RejectedExecutionException} when stopping. */
    @FunctionalInterface
    interface Later {
        void run(Duration wait, Runnable task);

        /** On a scheduled executor. */
        static Later on(ScheduledExecutorService executor) {
            return (wait, task) -> executor.schedule(task, wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param send     publishes one, confirmed ({@link ResultPublisher#send})
     * @param park     the parked form of a refused publish, with the reason ({@link ResultPublisher#park})
     * @param timer    runs the retries
     * @param patience how long a refused publish is retried before it is parked or handed back
     */
    Settler(Function<Publish, CompletableFuture<Void>> send, BiFunction<Publish, String, Publish> park, PublishProblems problems,
            RedeliveryGuard guard, Later timer, Clock clock, Duration patience, RelayCounters counters) {
        this(send, park, problems, guard, timer, clock, patience, counters,
                () -> new Backoff(Duration.ofSeconds(1), MAX_WAIT, RandomGenerator.getDefault()));
    }

    Settler(Function<Publish, CompletableFuture<Void>> send, BiFunction<Publish, String, Publish> park, PublishProblems problems,
            RedeliveryGuard guard, Later timer, Clock clock, Duration patience, RelayCounters counters,
            Supplier<Backoff> backoffs) {
        this.send = send;
        this.park = park;
        this.problems = problems;
        this.guard = guard;
        this.timer = timer;
        this.clock = clock;
        this.patience = patience;
        this.counters = counters;
        this.backoffs = backoffs;
    }

    /**
     * The settler of a relay: publishes through {@code results}, parks in its parking queue, and
     * remembers attempted messages whose delivery was lost.
     */
    public static Settler of(ResultPublisher results, PublishProblems problems, ScheduledExecutorService timer, Clock clock,
            Duration patience, RelayCounters counters) {
        return new Settler(results::send, results::park, problems, new RedeliveryGuard(clock), Later.on(timer), clock, patience,
                counters);
    }

    /** A settlement for a message work starts on now. */
    Settlement open(InboundMessage inbound) {
        return new Settlement(inbound);
    }

    /**
     * The SMTP transaction of {@code settlement}'s message starts: from now on, should its channel
     * be lost, the broker's redelivery is recognised and settled with this outcome.
     */
    void attempting(Settlement settlement) {
        settlement.attempting();
        watch(settlement, settlement.inbound());
    }

    /**
     * A redelivered message whose earlier delivery was attempted and not acked: settled with that
     * outcome (now, or when it is stored).
     *
     * @return true when {@code inbound} was taken care of
     */
    boolean settleRedelivery(InboundMessage inbound) {
        var earlier = guard.claim(inbound);
        if (earlier.isEmpty()) {
            return false;
        }
        counters.redeliveriesSettled.increment();
        log.info("a message attempted before its channel was lost came back; settled with the outcome known, not sent again");
        if (!earlier.get().rebind(inbound)) {
            watch(earlier.get(), inbound);
        }
        return true;
    }

    /**
     * Publishes {@code publishes}, then acks.
     *
     * @param copyRefused failure results to publish instead of a copy that can never be stored, given the reason
     * @param stored      runs once everything is stored (confirmed or parked), before the ack
     */
    void settle(Settlement settlement, List<Publish> publishes, Function<String, List<Publish>> copyRefused, Runnable stored) {
        var run = new Run(settlement, copyRefused, stored, clock.instant().plus(patience));
        run.start(publishes);
    }

    private void watch(Settlement settlement, InboundMessage inbound) {
        inbound.onLoss(() -> {
            if (settlement.attempted()) {
                guard.remember(inbound, settlement);
            }
        });
    }

    /** The cause inside a future's failure. */
    static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** One settlement's publishes under way. */
    private final class Run {

        private final Settlement settlement;
        private final Function<String, List<Publish>> copyRefused;
        private final Runnable stored;
        private final Instant deadline;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicBoolean handBack = new AtomicBoolean();

        Run(Settlement settlement, Function<String, List<Publish>> copyRefused, Runnable stored, Instant deadline) {
            this.settlement = settlement;
            this.copyRefused = copyRefused;
            this.stored = stored;
            this.deadline = deadline;
        }

        void start(List<Publish> publishes) {
            if (publishes.isEmpty()) {
                finish();
                return;
            }
            open.addAndGet(publishes.size());
            publishes.forEach(publish -> attempt(publish, backoffs.get(), false));
        }

        private void attempt(Publish publish, Backoff backoff, boolean parked) {
            CompletableFuture<Void> sent;
            try {
                sent = send.apply(publish);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((done, error) -> {
                if (error == null) {
                    problems.accepted(publish.queue());
                    partDone();
                } else {
                    refused(publish, backoff, parked, cause(error));
                }
            });
        }

        private void refused(Publish publish, Backoff backoff, boolean parked, Throwable cause) {
            var reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            problems.refused(publish.queue(), reason);
            counters.publishFailures.increment();
            var failure = cause instanceof PublishFailedException failed ? failed.reason() : null;
            if (failure == PublishFailedException.Reason.CLOSED) {
                // The relay is stopping: leave the message to the broker, which hands it out again.
                handBack.set(true);
                partDone();
                return;
            }
            boolean never = failure == PublishFailedException.Reason.TOO_LARGE;
            var wait = backoff.nextDelay();
            boolean outOfTime = clock.instant().plus(wait).isAfter(deadline);
            if (!never && (parked || !outOfTime)) {
                // Parked copies are retried for as long as it takes: there is nowhere else to go.
                counters.publishRetries.increment();
                later(wait, () -> attempt(publish, backoff, parked));
                return;
            }
            if (parked) {
                // A parked result larger than the broker takes: the message is settled; say so loudly.
                counters.resultsLost.increment();
                log.error("a result for queue '{}' ({} bytes) could be stored neither there nor in the parking queue: {}",
                        publish.queue(), publish.body().length, reason);
                partDone();
                return;
            }
            switch (publish.role()) {
                case RESULT -> parkIt(publish, reason);
                case COPY -> {
                    if (never) {
                        var instead = copyRefused.apply(reason);
                        open.addAndGet(instead.size());
                        instead.forEach(result -> attempt(result, backoffs.get(), false));
                        partDone();
                    } else if (settlement.attempted()) {
                        parkIt(publish, reason);
                    } else {
                        handBack.set(true);
                        log.warn("could not store a message for its later attempt in '{}' within {}: {}; handing it back to the outbox",
                                publish.queue(), patience, reason);
                        partDone();
                    }
                }
            }
        }

        private void parkIt(Publish publish, String reason) {
            counters.parked.increment();
            var parkedCopy = park.apply(publish, reason);
            log.warn("parked a message meant for '{}' in '{}': {}", publish.queue(), parkedCopy.queue(), reason);
            attempt(parkedCopy, backoffs.get(), true);
        }

        private void later(Duration wait, Runnable task) {
            try {
                timer.run(wait, task);
            } catch (RejectedExecutionException stopping) {
                handBack.set(true);
                partDone();
            }
        }

        private void partDone() {
            if (open.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() {
            if (!settlement.finish()) {
                return;
            }
            var inbound = settlement.inbound();
            if (handBack.get()) {
                counters.handedBack.increment();
                inbound.requeue();
                return;
            }
            try {
                stored.run();
            } catch (RuntimeException e) {
                log.warn("noting a settled message failed", e);
            }
            if (!inbound.ack() && settlement.attempted()) {
                guard.remember(inbound, settlement);
            }
        }
    }
}
