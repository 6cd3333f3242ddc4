package dev.ferrymta.relay.broker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the bytes of the messages an instance works on at once (taken from a queue and not yet
 * settled), so that large messages slow the intake instead of exhausting the heap. A count-based
 * prefetch alone does not: a hundred 20 MB messages are 2 GB. A message is let in while the
 * bytes in hand plus its own stay within the budget, and always when nothing is in hand, so one
 * message larger than the whole budget still goes through, alone. Thread-safe.
 */
public final class IntakeBudget {

    /** Of the maximum heap, the share the bodies of messages in hand may take. */
    static final int HEAP_SHARE_DIVISOR = 8;

    private final long limit;
    private final AtomicInteger consumers = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long inHand;

    /** @param limitBytes the budget in bytes, at least 1 */
    public IntakeBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the budget must be at least 1 byte, not " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /**
     * An eighth of the maximum heap: each message in hand costs a few times its size while it is
     * parsed, sent and its results written, and the client library holds the prefetched bodies
     * besides.
     */
    public static IntakeBudget fromHeap() {
        return new IntakeBudget(Math.max(1, Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR));
    }

    /** The budget, in bytes. */
    public long limit() {
        return limit;
    }

    /**
     * Counts {@code count} more consumers whose prefetched bodies this budget also bounds: each
     * one's {@link PrefetchWindow} sizes its prefetch to a {@link #consumers()}th of the limit.
     */
    public void addConsumers(int count) {
        consumers.addAndGet(count);
    }

    /** The consumers sharing the budget for their prefetch ({@link #addConsumers}), at least 1. */
    public int consumers() {
        return Math.max(1, consumers.get());
    }

    /** Bytes of the messages in hand now. */
    public long inHand() {
        lock.lock();
        try {
            return inHand;
        } finally {
            lock.unlock();
        }
    }

    /** Takes {@code bytes} when they fit now (or nothing is in hand); false otherwise. */
    public boolean tryAcquire(long bytes) {
        lock.lock();
        try {
            if (!fits(bytes)) {
                return false;
            }
            inHand += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code bytes} fit, then takes them.
     *
     * @throws InterruptedException when the waiting thread is interrupted (nothing was taken)
     */
    public void acquire(long bytes) throws InterruptedException {
        lock.lock();
        try {
            while (!fits(bytes)) {
                released.await();
            }
            inHand += bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back what {@link #acquire} or {@link #tryAcquire} took. */
    public void release(long bytes) {
        lock.lock();
        try {
            inHand = Math.max(0, inHand - bytes);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(long bytes) {
        return inHand == 0 || inHand + bytes <= limit;
    }
}
