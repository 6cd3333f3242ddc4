package dev.ferrymta.relay.outbox;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues the broker currently refuses Ferry's publishes to, with the reason: reported once in
 * the log when a queue starts refusing and once when it accepts again, shown on the console and
 * counted on {@code /metrics}. Thread-safe.
 */
public final class PublishProblems {

    private static final Logger log = LoggerFactory.getLogger(PublishProblems.class);

    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> current = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    public PublishProblems(Clock clock) {
        this.clock = clock;
    }

    /**
     * A queue that refuses now.
     *
     * @param queue   the queue published to
     * @param reason  what the broker said, e.g. {@code nacked: ...}
     * @param count   publishes refused since the queue started refusing
     * @param since   the first refusal
     * @param last    the latest refusal
     */
    public record Problem(String queue, String reason, long count, Instant since, Instant last) {
    }

    /** A publish to {@code queue} failed for {@code reason}. */
    void refused(String queue, String reason) {
        total.increment();
        var now = clock.instant();
        var entry = current.compute(queue, (name, old) -> old == null ? new Entry(now) : old);
        entry.note(reason, now);
        if (entry.firstReport()) {
            log.warn("the broker refuses publishes to queue '{}': {}; Ferry keeps the outcomes and tries again with growing waits"
                    + " (parked in the parking queue if it goes on)", queue, reason);
        }
    }

    /** A publish to {@code queue} was confirmed. */
    void accepted(String queue) {
        if (current.isEmpty()) {
            return;
        }
        var gone = current.remove(queue);
        if (gone != null) {
            log.info("queue '{}' accepts publishes again, after {} refused", queue, gone.count());
        }
    }

    /** Publishes refused since start, every queue and every try counted. */
    public long total() {
        return total.sum();
    }

    /** The queues refusing now, the longest refusing first. */
    public List<Problem> current() {
        return current.entrySet().stream()
                .map(e -> e.getValue().problem(e.getKey()))
                .sorted(Comparator.comparing(Problem::since))
                .toList();
    }

    private static final class Entry {
        private final Instant since;
        private Instant last;
        private String reason;
        private long count;
        private boolean reported;

        Entry(Instant since) {
            this.since = since;
        }

        synchronized void note(String why, Instant now) {
            reason = why;
            last = now;
            count++;
        }

        synchronized boolean firstReport() {
            if (reported) {
                return false;
            }
            reported = true;
            return true;
        }

        synchronized long count() {
            return count;
        }

        synchronized Problem problem(String queue) {
            return new Problem(queue, reason, count, since, last);
        }
    }
}
