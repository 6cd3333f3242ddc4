package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.settings.ProviderLimits;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.ThrottleLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The messages from one source IP to one domain, and the connections that carry them. The lane
 * reads the most specific throttle and the pauses of the settings snapshot in force at every
 * decision, so a reload applies at once: more connections start when the limit rises, workers
 * over a lowered limit end after their current message, and a new pause sends the waiting
 * messages back to the outbox for later instead of holding them.
 */
final class DeliveryLane {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLane.class);

    /** How much work a lane holds: about this long of sending at its recent rate. */
    private static final Duration HOLD = Duration.ofSeconds(10);

    /** What a new lane expects of each connection until it has measured: a slow, not a stalled, server. */
    private static final double ASSUMED_PER_CONNECTION = 5;

    /** How soon a message turned away for a full lane comes back. */
    private static final Duration FULL_RETRY = Duration.ofSeconds(1);

    private final LaneKey key;
    private final LaneContext context;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<DeliveryJob> queue = new ArrayDeque<>();
    private final LaneMeter meter;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder temporary = new LongAdder();
    private final LongAdder permanent = new LongAdder();
    private int workers;
    private int idleWorkers;
    private int startingWorkers;
    private final RatePacer pacer = new RatePacer();
    private boolean stopping;
    /**
     * Whether a message may start behind the previous one's end of data (RFC 2920 section 3.1);
     * false for good once a server of this lane did not take such a message in turn.
     */
    private volatile boolean pipelineAcrossMessages = true;
    /** The destination's provider group, as last looked up, and when. */
    private volatile Optional<String> provider = Optional.empty();
    private volatile Instant providerCheckedAt = Instant.MIN;
    private final ReentrantLock providerLock = new ReentrantLock();

    /** How often a lane asks again which provider its domain belongs to (the DNS answer is cached for its TTL). */
    private static final Duration PROVIDER_RECHECK = Duration.ofMinutes(1);

    /** How long a worker waits for a connection of its provider to close before it hands its message back. */
    private static final Duration PERMIT_PATIENCE = Duration.ofSeconds(2);

    DeliveryLane(LaneKey key, LaneContext context) {
        this.key = key;
        this.context = context;
        this.meter = new LaneMeter(context.clock());
    }

    LaneKey key() {
        return key;
    }

    /**
     * The limits the lane obeys at {@code now}: its throttle's, lowered by the back-offs of the
     * shared settings and by those this instance's response rules just made.
     */
    private ThrottleLimits limits(Settings settings, Instant now) {
        var of = provider;
        return context.responses().cap(key, of, settings.limitsFor(key.ip(), key.domain(), of, now), now);
    }

    /**
     * The provider group of the lane's domain: looked up now and then on a worker's thread (never
     * on the thread that offers messages, which must not wait for DNS).
     */
    private Optional<String> lookUpProvider(Settings settings, Instant now) {
        if (key.via().isPresent() || now.isBefore(providerCheckedAt.plus(PROVIDER_RECHECK))) {
            return provider;
        }
        // One worker looks up; the others of the lane wait for its answer rather than go on without one.
        providerLock.lock();
        try {
            if (!now.isBefore(providerCheckedAt.plus(PROVIDER_RECHECK))) {
                var found = context.connector().provider(key, settings);
                if (!found.equals(provider)) {
                    log.debug("lane {} belongs to provider {}", key, found.orElse("(none)"));
                    provider = found;
                }
                providerCheckedAt = now;
            }
            return provider;
        } finally {
            providerLock.unlock();
        }
    }

    /** Takes a message, or says when to bring it back. */
    Admission offer(DeliveryJob job) {
        var settings = context.settings().get();
        var now = context.clock().instant();
        var of = provider;
        var pause = settings.pauseFor(key.ip(), key.domain(), of, job.message().tags(), now);
        if (pause.isPresent()) {
            return new Admission.Deferred(pauseEnd(pause.get().until().orElse(null), now), "sending from " + key
                    + " is paused" + (pause.get().reason().isBlank() ? "" : ": " + pause.get().reason()));
        }
        var suspended = context.responses().holding(key.ip(), key.domain(), of, now);
        if (suspended.isPresent()) {
            return new Admission.Deferred(suspended.get().until(), "sending from " + key + " is suspended by response rule '"
                    + suspended.get().rule() + "'");
        }
        var limits = limits(settings, now);
        lock.lock();
        try {
            if (stopping) {
                return new Admission.Deferred(now, "the relay is stopping");
            }
            if (queue.size() >= capacity(limits)) {
                return new Admission.Full(now.plus(FULL_RETRY), "lane " + key + " has " + queue.size() + " messages waiting");
            }
            queue.addLast(job);
            if (idleWorkers > 0) {
                work.signal();
            } else if (workers < limits.maxConnections()) {
                startWorker();
            }
            return Admission.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** A new settings snapshot: start the connections a raised limit allows. */
    void settingsChanged() {
        var limits = limits(context.settings().get(), context.clock().instant());
        lock.lock();
        try {
            while (!stopping && workers < limits.maxConnections() && queue.size() > idleWorkers + startingWorkers) {
                startWorker();
            }
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the lane has neither messages nor connections, so it can be forgotten. */
    boolean isIdle() {
        lock.lock();
        try {
            return queue.isEmpty() && workers == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking messages; hands back those not started; open connections end after their message. */
    void stop() {
        List<DeliveryJob> left;
        lock.lock();
        try {
            stopping = true;
            left = new ArrayList<>(queue);
            queue.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        left.forEach(DeliveryJob::abandoned);
    }

    /** Waits until every worker has ended. */
    boolean awaitStopped(Instant deadline) throws InterruptedException {
        lock.lock();
        try {
            while (workers > 0) {
                var left = Duration.between(context.clock().instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    return false;
                }
                work.await(Math.min(left.toMillis(), 100), TimeUnit.MILLISECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    LaneStatus status() {
        lock.lock();
        try {
            return new LaneStatus(key, queue.size(), workers, delivered.sum(), temporary.sum(), permanent.sum(),
                    pipelineAcrossMessages);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Messages held at most: about {@link #HOLD} of sending at the recent rate, never fewer than
     * the connections can use. Before the first second is measured a new lane assumes a modest
     * {@link #ASSUMED_PER_CONNECTION} messages a second per connection, so a burst into a fresh
     * lane is not sent round the delay queues; a slow server shows within that second.
     */
    private int capacity(ThrottleLimits limits) {
        double perSecond = meter.measured() ? meter.perSecond() : ASSUMED_PER_CONNECTION * limits.maxConnections();
        int byRate = (int) Math.min(Integer.MAX_VALUE, perSecond * HOLD.toSeconds());
        int capacity = Math.max(4 * limits.maxConnections(), byRate);
        if (limits.messagesPerMinute().isPresent()) {
            capacity = Math.min(capacity, Math.max(limits.maxConnections(), limits.messagesPerMinute().getAsInt() / 6));
        }
        return capacity;
    }

    private void startWorker() {
        workers++;
        startingWorkers++;
        context.threads().newThread(new Worker()).start();
    }

    private static Instant pauseEnd(Instant until, Instant now) {
        // A pause without an end is checked again every few minutes, so lifting it takes effect soon.
        var recheck = now.plus(Duration.ofMinutes(5));
        return until == null || until.isAfter(recheck) ? recheck : until;
    }

    /** One connection's life: take messages, open the session on the first, reuse it while allowed. */
    private final class Worker implements Runnable {

        private LaneSession session;
        /** The provider gate whose connection permit this worker holds, if it holds one. */
        private ProviderGates.Gate permit;
        /**
         * The message taken and begun while the previous one's content was written, its
         * transaction pipelined behind that end of data: this worker's next; or null.
         */
        private DeliveryJob ahead;

        @Override
        public void run() {
            MDC.put("lane", key.toString());
            lock.lock();
            try {
                startingWorkers--;
            } finally {
                lock.unlock();
            }
            try {
                while (true) {
                    var job = ahead;
                    ahead = null;
                    if (job != null) {
                        deliver(job, true);
                    } else if ((job = next()) != null) {
                        deliver(job, false);
                    } else {
                        break;
                    }
                }
            } catch (RuntimeException | Error e) {
                log.error("a worker of lane {} failed", key, e);
            } finally {
                if (ahead != null) {
                    // Begun, never sent: back to the outbox as it is.
                    ahead.abandoned();
                    ahead = null;
                }
                closeSession();
                if (permit != null) {
                    permit.close();
                    permit = null;
                }
                var limits = limits(context.settings().get(), context.clock().instant());
                lock.lock();
                try {
                    workers--;
                    // Messages arrived while this worker was ending: a successor, unless the lane has
                    // as many as its limit allows (a worker ending because the limit went down must
                    // not start another that ends for the same reason, and so on without end).
                    if (!stopping && !queue.isEmpty() && idleWorkers == 0 && workers < limits.maxConnections()) {
                        startWorker();
                    }
                    work.signalAll();
                } finally {
                    lock.unlock();
                }
                MDC.remove("lane");
            }
        }

        /** The next message, or null when this worker should end. */
        private DeliveryJob next() {
            var limits = limits(context.settings().get(), context.clock().instant());
            lock.lock();
            try {
                if (workers > limits.maxConnections() || (session != null && session.used() >= limits.messagesPerConnection())) {
                    return null;
                }
                long idleNanos = limits.idleTimeout().toNanos();
                while (queue.isEmpty() && !stopping) {
                    if (session == null || idleNanos <= 0) {
                        return null;
                    }
                    idleWorkers++;
                    try {
                        idleNanos = work.awaitNanos(idleNanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    } finally {
                        idleWorkers--;
                    }
                }
                return stopping ? null : queue.pollFirst();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Delivers one message, or defers or drops it; {@code begun} when it was taken behind the
         * previous message's end of data, where it already passed the checks below.
         */
        private void deliver(DeliveryJob job, boolean begun) {
            var settings = context.settings().get();
            var now = context.clock().instant();
            var of = lookUpProvider(settings, now);
            if (begun) {
                transact(job, settings, of, true);
                return;
            }
            var pause = settings.pauseFor(key.ip(), key.domain(), of, job.message().tags(), now);
            if (pause.isPresent()) {
                job.deferred(pauseEnd(pause.get().until().orElse(null), now), "sending from " + key + " is paused"
                        + pause.get().tag().map(tag -> " for messages tagged '" + tag + "'").orElse(""));
                return;
            }
            var suspended = context.responses().holding(key.ip(), key.domain(), of, now);
            if (suspended.isPresent()) {
                job.deferred(suspended.get().until(), "sending from " + key + " is suspended by response rule '"
                        + suspended.get().rule() + "'");
                return;
            }
            var providerLimits = of.flatMap(name -> settings.providerLimitsFor(key.ip(), name, now));
            if (permit == null && providerLimits.isPresent() && providerLimits.get().maxConnections().isPresent()) {
                var gate = context.gates().gate(key.ip(), of.get());
                try {
                    if (!gate.open(providerLimits.get(), PERMIT_PATIENCE)) {
                        job.deferred(now.plus(FULL_RETRY), "sending from " + key.ip().getHostAddress() + " to provider " + of.get()
                                + " has its " + providerLimits.get().maxConnections().getAsInt() + " connections open");
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    job.abandoned();
                    return;
                }
                permit = gate;
            }
            if (!awaitRateSlot(settings, of, providerLimits)) {
                job.abandoned();
                return;
            }
            if (!job.begin()) {
                log.debug("dropped a message of lane {} unsent: its outbox delivery was lost, the broker hands it out again", key);
                return;
            }
            transact(job, settings, of, false);
        }

        /** The attempt of a begun message, its outcome held against the response rules, and its completion. */
        private void transact(DeliveryJob job, Settings settings, Optional<String> of, boolean pipelined) {
            var message = job.message();
            MDC.put("recipient", message.recipient().toString());
            try {
                DeliveryOutcome outcome;
                try {
                    outcome = attempt(settings, of, job, pipelined);
                } catch (RuntimeException | Error e) {
                    // Ferry's own failure, not the server's: the message must still be settled, or it
                    // would hold its prefetch slot and its bytes for good. Tried again later.
                    log.error("an attempt from lane {} failed inside Ferry", key, e);
                    closeSession();
                    outcome = new DeliveryOutcome.TemporaryFailure(Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR,
                            context.clock().instant(), "Ferry failed during the attempt: " + e));
                }
                meter.record();
                if (!(outcome instanceof DeliveryOutcome.Delivered)) {
                    outcome = react(settings, of, outcome);
                }
                switch (outcome) {
                    case DeliveryOutcome.Delivered d -> delivered.increment();
                    case DeliveryOutcome.TemporaryFailure t -> temporary.increment();
                    case DeliveryOutcome.PermanentFailure p -> permanent.increment();
                }
                log.debug("attempt {} from {}: {} {}", message.recipient(), key.ip().getHostAddress(),
                        outcome.attempt().state().json(), outcome.attempt().description());
                job.completed(outcome);
            } finally {
                MDC.remove("recipient");
            }
        }

        /** Holds a failure's reply against the response rules: what they did, logged; the outcome they leave. */
        private DeliveryOutcome react(Settings settings, Optional<String> of, DeliveryOutcome outcome) {
            var reaction = context.responses().observe(settings.responseRules(), key, of, outcome, context.clock().instant());
            reaction.suspension().ifPresent(suspension -> log.warn("response rule '{}' suspends sending from {}{} until {} after: {}",
                    suspension.rule(), key.ip().getHostAddress(), target(suspension.domain(), suspension.provider()),
                    suspension.until(), suspension.reply()));
            reaction.backOff().ifPresent(backOff -> log.warn("response rule '{}' slows sending from {}{} until {} ({}) after: {}",
                    backOff.rule(), key.ip().getHostAddress(), target(backOff.domain(), backOff.provider()),
                    backOff.until(), reaction.rule().map(ResponseRule::describe).orElse(""), backOff.reply()));
            return reaction.outcome();
        }

        private static String target(Optional<dev.ferrymta.relay.mail.Domain> domain, Optional<String> provider) {
            return domain.map(d -> " to " + d).or(() -> provider.map(p -> " to every domain of provider " + p)).orElse(" to every domain");
        }

        /**
         * One attempt: on this worker's session, or on a new one, and on the next server of the
         * attempt's {@link MxPlan} when one refuses for now. The plan is resolved once per
         * attempt (RFC 5321 section 5.1), so a server that just refused is not drawn again.
         */
        private DeliveryOutcome attempt(Settings settings, Optional<String> of, DeliveryJob job, boolean pipelined) {
            var security = job.message().security();
            MxPlan plan = null;
            boolean reconnected = false;
            while (true) {
                if (session != null && (!session.usable() || !session.serves(security))) {
                    closeSession();
                }
                boolean kept = session != null;
                if (session == null) {
                    if (plan == null) {
                        switch (context.connector().plan(key, settings)) {
                            case LaneConnector.Plan planned -> plan = planned.plan();
                            case LaneConnector.Failed failed -> {
                                return failed.outcome();
                            }
                        }
                    }
                    var ehlo = settings.ehloName(key.ip()).orElseGet(() -> context.ehloFor(key.ip()));
                    switch (context.connector().open(plan, key, ehlo, security)) {
                        case LaneConnector.Opened opened -> session = new LaneSession(opened, security);
                        case LaneConnector.Failed failed -> {
                            return failed.outcome();
                        }
                    }
                }
                boolean reused = session.used() > 0;
                var outcome = session.send(job.message(), context.signing(), settings, context.clock().instant(),
                        () -> takeFollowing(settings, of));
                if (reused && !reconnected && isStale(outcome)) {
                    // The server closed the kept connection while it was idle: not this message's
                    // fault, and not an attempt. Once more on a fresh connection, as Postfix does.
                    reconnected = true;
                    closeSession();
                    continue;
                }
                if (pipelined && reused && !reconnected && refusedOutOfTurn(outcome)) {
                    // Its MAIL went behind the previous end of data and the server, whatever it
                    // offers, did not take it there: no reply (it dropped what followed the end of
                    // data), or a complaint about the order of commands rather than the message.
                    // Not this message's fault and not an attempt: once more on a fresh connection,
                    // and no more pipelining across messages on this lane.
                    pipelineAcrossMessages = false;
                    log.warn("{} did not take a MAIL sent behind the end of the previous message (RFC 2920 section 3.1): {}; "
                            + "lane {} no longer starts a message before the previous one's reply", session.endpoint(),
                            outcome.attempt().description(), key);
                    reconnected = true;
                    closeSession();
                    continue;
                }
                if (outcome instanceof DeliveryOutcome.TemporaryFailure) {
                    if (plan == null) {
                        // A connection kept from an earlier message refused: the rest of the
                        // destination's servers are this attempt's to try.
                        switch (context.connector().plan(key, settings)) {
                            case LaneConnector.Plan planned -> plan = planned.plan();
                            case LaneConnector.Failed failed -> {
                                return outcome;
                            }
                        }
                    }
                    if (kept) {
                        plan.alreadyTried(session.endpoint());
                    } else {
                        plan.sessionRefused();
                    }
                    if (plan.hasNext()) {
                        // RFC 5321 5.1: a server that refuses for now is not the last word; try the next one.
                        closeSession();
                        continue;
                    }
                }
                return plan == null ? outcome : MxConnector.withSummary(outcome, plan);
            }
        }

        /**
         * The lane's next message when it can go on this worker's connection at once, behind the
         * current message's end of data: taken from the queue and begun. Empty when none waits,
         * or when sending it would need more than this connection: a pause or suspension to
         * honour, a pace or a provider's permit to wait for, other TLS, or the connection's
         * message limit reached. Those take the usual way, one message after the other.
         */
        private Optional<OutboxMessage> takeFollowing(Settings settings, Optional<String> of) {
            if (ahead != null || session == null || !pipelineAcrossMessages) {
                return Optional.empty();
            }
            var now = context.clock().instant();
            var limits = limits(settings, now);
            if (limits.messagesPerMinute().isPresent()
                    || (of.isPresent() && settings.providerLimitsFor(key.ip(), of.get(), now).isPresent())) {
                return Optional.empty();
            }
            DeliveryJob candidate;
            lock.lock();
            try {
                if (stopping || workers > limits.maxConnections() || session.used() >= limits.messagesPerConnection()) {
                    return Optional.empty();
                }
                candidate = queue.peekFirst();
            } finally {
                lock.unlock();
            }
            if (candidate == null || !session.serves(candidate.message().security())) {
                return Optional.empty();
            }
            var message = candidate.message();
            if (settings.pauseFor(key.ip(), key.domain(), of, message.tags(), now).isPresent()
                    || context.responses().holding(key.ip(), key.domain(), of, now).isPresent()) {
                return Optional.empty();
            }
            lock.lock();
            try {
                if (queue.peekFirst() != candidate) {
                    return Optional.empty();
                }
                queue.pollFirst();
            } finally {
                lock.unlock();
            }
            if (!candidate.begin()) {
                log.debug("dropped a message of lane {} unsent: its outbox delivery was lost, the broker hands it out again", key);
                return Optional.empty();
            }
            ahead = candidate;
            return Optional.of(message);
        }

        /**
         * MAIL not taken for a reason of the dialogue, not of the message: no reply within its
         * time, {@code 503} (bad sequence of commands, RFC 5321 section 4.2.3), or an enhanced
         * status of the mail delivery protocol class {@code X.5.X} (RFC 3463 section 3.6: invalid
         * command, syntax error, ...). A refusal of another kind (a policy's 550 5.7.1) stays the
         * message's outcome. Sent again on a fresh connection, the message gets its own verdict.
         */
        private static boolean refusedOutOfTurn(DeliveryOutcome outcome) {
            var attempt = outcome.attempt();
            if (outcome instanceof DeliveryOutcome.Delivered || attempt.state() != AttemptState.MAILFROM) {
                return false;
            }
            return attempt.result() == AttemptResult.TIMEOUT
                    || (attempt.code().isPresent() && attempt.code().getAsInt() == 503)
                    || attempt.status().filter(status -> status.length() > 3 && status.substring(1).startsWith(".5.")).isPresent();
        }

        /** A kept connection that turned out dead at the first command: lost, or closed with 421. */
        private static boolean isStale(DeliveryOutcome outcome) {
            var attempt = outcome.attempt();
            return outcome instanceof DeliveryOutcome.TemporaryFailure && attempt.state() == AttemptState.MAILFROM
                    && (attempt.result() == AttemptResult.LOST
                            || (attempt.code().isPresent() && attempt.code().getAsInt() == 421));
        }

        /**
         * Waits for the next start the messages-per-minute limits allow, the lane's and its
         * provider's (shared by every lane of the provider from this IP); false when stopping.
         */
        private boolean awaitRateSlot(Settings settings, Optional<String> of, Optional<ProviderLimits> providerLimits) {
            var rate = limits(settings, context.clock().instant()).messagesPerMinute();
            var providerRate = providerLimits.flatMap(l -> l.messagesPerMinute().isPresent()
                    ? Optional.of(l.messagesPerMinute().getAsInt()) : Optional.empty());
            if (rate.isEmpty() && providerRate.isEmpty()) {
                return true;
            }
            Instant slot = Instant.MIN;
            if (rate.isPresent()) {
                lock.lock();
                try {
                    slot = pacer.reserve(context.clock().instant(), rate.getAsInt());
                } finally {
                    lock.unlock();
                }
            }
            if (providerRate.isPresent()) {
                var shared = context.gates().gate(key.ip(), of.get()).reserve(providerRate.get());
                slot = shared.isAfter(slot) ? shared : slot;
            }
            while (true) {
                var wait = Duration.between(context.clock().instant(), slot);
                if (wait.isNegative() || wait.isZero()) {
                    return true;
                }
                lock.lock();
                try {
                    if (stopping) {
                        return false;
                    }
                    work.await(Math.min(wait.toMillis() + 1, 1_000), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    lock.unlock();
                }
            }
        }

        private void closeSession() {
            if (session != null) {
                session.close();
                session = null;
            }
        }
    }
}
