package dev.ferrymta.relay.broker;

import dev.ferrymta.relay.broker.PublishFailedException.Reason;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages published and not yet confirmed, across all channels: the bound on how many there
 * may be, lookup by publish id (for returns), timeouts and failing them all at close.
 */
final class InFlight {

    private final int limit;
    private final Semaphore permits;
    private final Executor callbacks;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Unconfirmed> byId = new ConcurrentHashMap<>();
    private final ReentrantLock emptyLock = new ReentrantLock();
    private final Condition empty = emptyLock.newCondition();

    InFlight(int limit, Executor callbacks) {
        if (limit < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + limit);
        }
        this.limit = limit;
        this.permits = new Semaphore(limit, true);
        this.callbacks = callbacks;
    }

    /** Waits for room, then tracks a new message. Every message returned settles exactly once, releasing its room. */
    Unconfirmed begin(long nowNanos) throws InterruptedException {
        permits.acquire();
        var message = new Unconfirmed(ids.incrementAndGet(), nowNanos, this::settled, callbacks);
        byId.put(message.id(), message);
        return message;
    }

    Optional<Unconfirmed> find(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Messages holding room: published, or about to be, and not settled. Never more than the limit. */
    int count() {
        return limit - permits.availablePermits();
    }

    int limit() {
        return limit;
    }

    /** Fails the messages published {@code timeout} or longer before {@code nowNanos}; returns how many. */
    int expire(long nowNanos, Duration timeout) {
        long timeoutNanos = timeout.toNanos();
        int expired = 0;
        for (var message : byId.values()) {
            if (nowNanos - message.startedNanos() >= timeoutNanos
                    && message.fail(new PublishFailedException(Reason.TIMED_OUT, "not confirmed within " + timeout))) {
                expired++;
            }
        }
        return expired;
    }

    /** Fails every message not settled yet; returns how many. */
    int failAll(Reason reason, String detail) {
        int failed = 0;
        for (var message : byId.values()) {
            if (message.fail(new PublishFailedException(reason, detail))) {
                failed++;
            }
        }
        return failed;
    }

    /** @return true when every message settled within {@code wait} */
    boolean awaitEmpty(Duration wait) throws InterruptedException {
        long remaining = wait.toNanos();
        emptyLock.lock();
        try {
            while (!byId.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = empty.awaitNanos(remaining);
            }
            return true;
        } finally {
            emptyLock.unlock();
        }
    }

    private void settled(Unconfirmed message) {
        byId.remove(message.id());
        permits.release();
        if (byId.isEmpty()) {
            emptyLock.lock();
            try {
                empty.signalAll();
            } finally {
                emptyLock.unlock();
            }
        }
    }
}
