package dev.ferrymta.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Ferry's log appender (logback.xml): the lines go to standard output from a thread of their own,
 * in batches. A thread that logs formats the message and hands the event over; the writer encodes
 * every event that came in since its last write and writes them with one write and one flush, at
 * the latest {@link #setFlushMillis flushMillis} (50 ms) after they came in, and at once for a
 * WARN or an ERROR. One INFO line per delivered message then costs a queue insert on the delivery
 * thread instead of a formatted write and flush of its own (issue 19, docs/BENCHMARKS.md).
 *
 * <p>Nothing is dropped: when {@link #setQueueSize queueSize} events wait, logging waits for the
 * writer. {@link #stop()} writes what is left; logback.xml's shutdown hook stops the appender
 * when the JVM exits, and {@link Main} stops logging before it halts.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private long flushMillis = 50;
    private OutputStream target;
    private BlockingQueue<ILoggingEvent> queue;
    private volatile boolean writing;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Events that may wait for the writer before logging waits too (default 8192). */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** The longest an INFO line waits before it is written, in milliseconds (default 50). */
    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    /** Where the lines go instead of standard output; for tests. Call before {@link #start()}. */
    void setTarget(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        if (queueSize < 1 || flushMillis < 1) {
            addError("queueSize and flushMillis must be at least 1, not " + queueSize + " and " + flushMillis);
            return;
        }
        if (target == null) {
            target = System.out;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        writing = true;
        writer = Thread.ofPlatform().daemon().name("log-writer").start(this::writeLoop);
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // The message, the MDC and the thread's name are taken now: the writer runs later, elsewhere.
        event.prepareForDeferredProcessing();
        boolean urgent = event.getLevel().isGreaterOrEqual(Level.WARN);
        if (!queue.offer(event)) {
            LockSupport.unpark(writer);
            try {
                queue.put(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                write(List.of(event)); // never dropped: written on this thread instead
                return;
            }
        }
        if (urgent || queue.remainingCapacity() < queueSize / 2) {
            LockSupport.unpark(writer);
        }
    }

    /** Writes what is waiting, then stops; waits at most five seconds for the writer. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        writing = false;
        LockSupport.unpark(writer);
        try {
            writer.join(STOP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainAndWrite(); // whatever came in after the writer ended, or if it did not end in time
    }

    private void writeLoop() {
        long wait = Duration.ofMillis(flushMillis).toNanos();
        while (writing) {
            drainAndWrite();
            // The next lines gather meanwhile; a WARN, an ERROR or a half-full queue wakes it sooner.
            LockSupport.parkNanos(this, wait);
        }
        drainAndWrite();
    }

    private synchronized void drainAndWrite() {
        var batch = new ArrayList<ILoggingEvent>();
        queue.drainTo(batch);
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    private synchronized void write(List<ILoggingEvent> events) {
        var bytes = new ByteArrayOutputStream(events.size() * 128);
        for (var event : events) {
            try {
                bytes.write(encoder.encode(event));
            } catch (IOException | RuntimeException e) {
                addError("could not encode a log event", e);
            }
        }
        try {
            bytes.writeTo(target);
            target.flush();
        } catch (IOException | RuntimeException e) {
            addError("could not write " + events.size() + " log lines", e);
        }
    }
}
