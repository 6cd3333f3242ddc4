package dev.ferrymta.relay.broker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Settles the deliveries of one consumer channel, and writes acks asked for at the same moment as
 * one {@code basic.ack} with {@code multiple=true} (AMQP 0-9-1 section 1.8.3.13; RabbitMQ's
 * "multiple acknowledgements") where that acks exactly those deliveries.
 *
 * <p>Nothing is held back: a caller whose ack finds no write under way writes it at once, alone.
 * While a write is under way, the acks and requeues of other callers queue; the next writer (one
 * of those callers) writes them all, and each caller returns when its own settle was written, or
 * throws what writing it threw, as it would have writing alone. This is group commit: under load
 * the confirms of many results arrive together and their acks become a few frames, with no timer
 * and no settled message left unwritten when the channel closes.
 *
 * <p>A multiple ack covers every delivery of the channel with a tag up to its own that the broker
 * has not settled. So it is written only up to the lowest delivery of the channel that is not
 * acked in the same batch: every delivery is registered with {@link #delivered} before anyone
 * can settle it, in the order the broker gave them (one dispatch thread per channel), and leaves
 * the register only once its settle is written. Acks above a delivery still in hand are written
 * one by one. Requeues ({@code basic.nack}, requeue) are always written one by one, before the
 * acks of their batch. One instance per channel: two on the same channel would each ack the
 * other's deliveries. Thread-safe.
 */
public final class AckWriter implements InboundMessage.Acknowledger {

    /** The frames one settle may need: the seam to the channel, so batching can be tested without a broker. */
    interface Frames {

        /** basic.ack; {@code multiple} acks every unsettled delivery up to {@code deliveryTag}. */
        void ack(long deliveryTag, boolean multiple) throws IOException;

        /** basic.nack of one delivery, with requeue. */
        void requeue(long deliveryTag) throws IOException;

        boolean isOpen();

        static Frames of(Channel channel) {
            return new Frames() {
                @Override
                public void ack(long deliveryTag, boolean multiple) throws IOException {
                    channel.basicAck(deliveryTag, multiple);
                }

                @Override
                public void requeue(long deliveryTag) throws IOException {
                    channel.basicNack(deliveryTag, false, true);
                }

                @Override
                public boolean isOpen() {
                    return channel.isOpen();
                }
            };
        }
    }

    private static final class Request {
        final long tag;
        final boolean ack;
        boolean done;
        Exception failure;

        Request(long tag, boolean ack) {
            this.tag = tag;
            this.ack = ack;
        }
    }

    private final Frames frames;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    /** Deliveries registered and not yet settled on the wire, by tag. */
    private final TreeSet<Long> unsettled = new TreeSet<>();
    private List<Request> queued = new ArrayList<>();
    private boolean writing;
    private final LongAdder settles;
    private final LongAdder framesWritten;

    /** The writer of {@code channel}'s settles, counting them for nobody; make one per channel. */
    public static AckWriter of(Channel channel) {
        return of(channel, new LongAdder(), new LongAdder());
    }

    /**
     * The writer of {@code channel}'s settles; make one per channel.
     *
     * @param settles       counts the settles asked for (acks and requeues), shared by a consumer's channels
     * @param framesWritten counts the frames written for them
     */
    public static AckWriter of(Channel channel, LongAdder settles, LongAdder framesWritten) {
        return new AckWriter(Frames.of(channel), settles, framesWritten);
    }

    AckWriter(Frames frames, LongAdder settles, LongAdder framesWritten) {
        this.frames = frames;
        this.settles = settles;
        this.framesWritten = framesWritten;
    }

    /**
     * Registers a delivery before anything can settle it. Call it on the channel's dispatch
     * thread, first thing in {@code handleDelivery}, so that deliveries are registered in the
     * broker's order.
     */
    public void delivered(long deliveryTag) {
        lock.lock();
        try {
            unsettled.add(deliveryTag);
        } finally {
            lock.unlock();
        }
    }

    /** basic.ack of one delivery, perhaps written as part of a multiple ack; returns once written. */
    @Override
    public void ack(long deliveryTag) throws IOException {
        settle(new Request(deliveryTag, true));
    }

    /** basic.nack with requeue of one delivery; returns once written. */
    @Override
    public void requeue(long deliveryTag) throws IOException {
        settle(new Request(deliveryTag, false));
    }

    @Override
    public boolean isOpen() {
        return frames.isOpen();
    }

    /** Settles waiting for a writer now; for tests. */
    int queued() {
        lock.lock();
        try {
            return queued.size();
        } finally {
            lock.unlock();
        }
    }

    private void settle(Request request) throws IOException {
        settles.increment();
        lock.lock();
        try {
            queued.add(request);
            while (!request.done) {
                if (!writing) {
                    writing = true;
                    break;
                }
                written.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        if (!request.done) {
            if (Thread.currentThread().isVirtual()) {
                // The confirms of a batch of results complete on virtual threads submitted
                // together: one turn of the scheduler lets those ready to run queue their acks
                // behind this one, to be written with it. A yield, not a wait on a clock.
                Thread.yield();
            }
            writeQueued();
        }
        switch (request.failure) {
            case null -> {
            }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IOException(request.failure);
        }
    }

    /**
     * As the writer: writes everything queued now, which includes the caller's own settle (it was
     * queued before the caller took the role), then leaves the role to a caller still waiting.
     */
    private void writeQueued() {
        try {
            List<Request> batch;
            long upTo;
            lock.lock();
            try {
                batch = queued;
                queued = new ArrayList<>();
                upTo = multipleAckUpTo(batch);
            } finally {
                lock.unlock();
            }
            write(batch, upTo);
            lock.lock();
            try {
                for (var request : batch) {
                    request.done = true;
                    unsettled.remove(request.tag);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                writing = false;
                // Those written wake up and return; one still waiting takes over as the writer.
                written.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The highest tag a multiple ack may name for {@code batch}: the end of the run of the lowest
     * unsettled deliveries that the batch acks, all of them; 0 when that run is shorter than two.
     */
    private long multipleAckUpTo(List<Request> batch) {
        if (batch.size() < 2) {
            return 0;
        }
        var acked = new HashSet<Long>();
        for (var request : batch) {
            if (request.ack) {
                acked.add(request.tag);
            }
        }
        long upTo = 0;
        int run = 0;
        for (long tag : unsettled) {
            if (!acked.contains(tag)) {
                break;
            }
            upTo = tag;
            run++;
        }
        return run >= 2 ? upTo : 0;
    }

    private void write(List<Request> batch, long upTo) {
        for (var request : batch) {
            if (!request.ack) {
                writeOne(request, () -> frames.requeue(request.tag));
            }
        }
        if (upTo > 0) {
            var covered = new ArrayList<Request>();
            for (var request : batch) {
                if (request.ack && request.tag <= upTo) {
                    covered.add(request);
                }
            }
            Exception failure = null;
            try {
                framesWritten.increment();
                frames.ack(upTo, true);
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            for (var request : covered) {
                request.failure = failure;
            }
        }
        for (var request : batch) {
            if (request.ack && (upTo == 0 || request.tag > upTo)) {
                writeOne(request, () -> frames.ack(request.tag, false));
            }
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private void writeOne(Request request, Write write) {
        try {
            framesWritten.increment();
            write.run();
        } catch (IOException | RuntimeException e) {
            request.failure = e;
        }
    }
}
