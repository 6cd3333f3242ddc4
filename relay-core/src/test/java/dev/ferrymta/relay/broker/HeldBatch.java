package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drives an {@link AckWriter} into writing a known batch: the first settle's frame is held while
 * the others queue behind it, one after another, then let go, so they are written together.
 * Shared by {@link AckWriterTest} (frames recorded) and {@link AckWriterIT} (frames written to
 * RabbitMQ as well).
 */
final class HeldBatch {

    static final Duration WAIT = Duration.ofSeconds(5);

    private HeldBatch() {
    }

    /**
     * Frames as written, in order ("ack 3", "ack 5 multiple", "requeue 4"), passed on to
     * {@code delegate} when there is one. The first write waits for {@link #releaseFirst}.
     */
    static final class RecordingFrames implements AckWriter.Frames {
        final List<String> written = new CopyOnWriteArrayList<>();
        final CountDownLatch firstEntered = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        private final AckWriter.Frames delegate;
        volatile boolean holdFirst = true;

        RecordingFrames() {
            this(null);
        }

        RecordingFrames(AckWriter.Frames delegate) {
            this.delegate = delegate;
        }

        @Override
        public void ack(long deliveryTag, boolean multiple) throws IOException {
            write("ack " + deliveryTag + (multiple ? " multiple" : ""));
            if (delegate != null) {
                delegate.ack(deliveryTag, multiple);
            }
        }

        @Override
        public void requeue(long deliveryTag) throws IOException {
            write("requeue " + deliveryTag);
            if (delegate != null) {
                delegate.requeue(deliveryTag);
            }
        }

        private void write(String frame) throws IOException {
            if (holdFirst) {
                holdFirst = false;
                firstEntered.countDown();
                try {
                    releaseFirst.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failing.contains(frame)) {
                throw new IOException("channel lost writing " + frame);
            }
            written.add(frame);
        }

        @Override
        public boolean isOpen() {
            return delegate == null || delegate.isOpen();
        }
    }

    /** A settle asked for by one caller: ack or requeue of a delivery tag. */
    record Settle(boolean ack, long tag) {
        static Settle ack(long tag) {
            return new Settle(true, tag);
        }

        static Settle requeue(long tag) {
            return new Settle(false, tag);
        }

        void on(AckWriter writer) throws IOException {
            if (ack) {
                writer.ack(tag);
            } else {
                writer.requeue(tag);
            }
        }

        @Override
        public String toString() {
            return (ack ? "ack " : "requeue ") + tag;
        }
    }

    /** One caller's thread and what its settle threw, if anything. */
    record Caller(Settle settle, Thread thread, Exception[] failed) {
        Exception failure() {
            return failed[0];
        }
    }

    /**
     * Starts {@code first}, waits until its frame is being written, queues {@code queued} behind
     * it in order, checks they all wait, then lets the first write finish and waits for every caller.
     */
    static List<Caller> run(AckWriter writer, RecordingFrames recording, Settle first, List<Settle> queued) throws Exception {
        var callers = new ArrayList<Caller>();
        callers.add(start(writer, first));
        assertThat(recording.firstEntered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (var settle : queued) {
            callers.add(start(writer, settle));
            int expected = callers.size() - 1;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> writer.queued() == expected);
        }
        assertThat(callers).allSatisfy(caller -> assertThat(caller.thread().isAlive()).as(caller.settle().toString()).isTrue());
        recording.releaseFirst.countDown();
        for (var caller : callers) {
            assertThat(caller.thread().join(WAIT)).as(caller.settle().toString()).isTrue();
        }
        return callers;
    }

    private static Caller start(AckWriter writer, Settle settle) {
        var failed = new Exception[1];
        var thread = Thread.ofVirtual().start(() -> {
            try {
                settle.on(writer);
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        return new Caller(settle, thread, failed);
    }
}
