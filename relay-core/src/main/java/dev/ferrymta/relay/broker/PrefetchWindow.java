package dev.ferrymta.relay.broker;

import java.util.function.IntSupplier;

/**
 * The consumer prefetch a queue's consumers ask for (RabbitMQ's per-consumer {@code basic.qos}
 * prefetch-count), following the sizes of the messages the queue hands out: the RabbitMQ client
 * holds the body of every message prefetched, and AMQP's byte window ({@code prefetch-size}) is
 * not implemented by RabbitMQ, so the count is what bounds those bytes (docs/adr/0017).
 *
 * <p>The target is {@code budget / (consumers × S)}, between 1 and the configured maximum
 * ({@code rabbitmq-qos}), where S is the largest body among the recent deliveries (those of the
 * current and the previous {@link #PERIOD} deliveries), so that {@code consumers × prefetch × S}
 * stays within the budget. Before any size is known the target is {@link #FIRST}. A message larger
 * than any recent one lowers the target at once; the target rises again only once a whole period
 * has passed without such messages. Thread-safe.
 */
public final class PrefetchWindow {

    /**
     * The prefetch before the first delivery has shown a size: one message, so that an instance
     * starting on a queue of large messages is not sent a window of them first.
     */
    static final int FIRST = 1;

    /** Deliveries per period of the recent largest size. */
    static final int PERIOD = 500;

    private final int maximum;
    private final IntSupplier consumers;
    private final long budget;
    private long currentLargest;
    private long previousLargest;
    private int inPeriod;
    private volatile int target;

    /**
     * @param maximum   the largest prefetch per consumer ({@code rabbitmq-qos}), 1 to 65535
     * @param consumers consumers sharing the budget, at least 1
     * @param budget    bytes the prefetched bodies of all consumers may take, at least 1
     *                  ({@link IntakeBudget#limit()})
     * @throws IllegalArgumentException for a value out of range
     */
    public PrefetchWindow(int maximum, int consumers, long budget) {
        this(maximum, checked(consumers), budget);
    }

    /**
     * A window for the consumers of an {@link IntakeBudget}: every consumer counted there
     * ({@link IntakeBudget#addConsumers}), whichever queue it reads, takes an equal share, so
     * their prefetched bodies together stay within its limit.
     *
     * @param maximum the largest prefetch per consumer ({@code rabbitmq-qos}), 1 to 65535
     */
    public static PrefetchWindow sharing(int maximum, IntakeBudget budget) {
        return new PrefetchWindow(maximum, budget::consumers, budget.limit());
    }

    private PrefetchWindow(int maximum, IntSupplier consumers, long budget) {
        if (maximum < 1 || maximum > 65_535) {
            throw new IllegalArgumentException("the prefetch must be 1 to 65535, not " + maximum);
        }
        if (budget < 1) {
            throw new IllegalArgumentException("the budget must be at least 1 byte, not " + budget);
        }
        this.maximum = maximum;
        this.consumers = consumers;
        this.budget = budget;
        this.target = FIRST;
    }

    private static IntSupplier checked(int consumers) {
        if (consumers < 1) {
            throw new IllegalArgumentException("consumers must be at least 1, not " + consumers);
        }
        return () -> consumers;
    }

    /** The largest prefetch per consumer ({@code rabbitmq-qos}). */
    public int maximum() {
        return maximum;
    }

    /** The prefetch per consumer the sizes seen so far call for, 1 to {@link #maximum()}. */
    public int target() {
        return target;
    }

    /**
     * Records the size of one delivered body.
     *
     * @param bytes the body's length in bytes
     * @return true when the target changed
     */
    public synchronized boolean observe(long bytes) {
        if (inPeriod == PERIOD) {
            previousLargest = currentLargest;
            currentLargest = 0;
            inPeriod = 0;
        }
        inPeriod++;
        currentLargest = Math.max(currentLargest, bytes);
        int next = forLargest(Math.max(currentLargest, previousLargest));
        if (next == target) {
            return false;
        }
        target = next;
        return true;
    }

    private int forLargest(long largest) {
        long perConsumer = budget / Math.max(1, consumers.getAsInt());
        long fits = perConsumer / Math.max(1, largest);
        return (int) Math.max(1, Math.min(maximum, fits));
    }

    /**
     * Whether a consumer subscribed with {@code current} should subscribe again with
     * {@code target}: always to go down (the bytes prefetched must stay within the budget), and to
     * go up by a third or more or to the maximum; not for smaller steps up, each of which costs a
     * cancel and a subscription.
     */
    public boolean worthChanging(int current, int target) {
        if (target == current) {
            return false;
        }
        if (target < current) {
            return true;
        }
        return target == maximum || target * 3L >= current * 4L;
    }
}
