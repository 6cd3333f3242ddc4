package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent outcomes this instance published, in a fixed-size ring in memory: the newest
 * replace the oldest once it is full. Recording is lock-free and allocates one small object, so
 * that the lanes' threads never wait on a console reading it; a reader sees each entry whole,
 * newest first, and may miss the few written while it reads.
 */
public final class RecentResults {

    /** How many outcomes an instance keeps. */
    public static final int DEFAULT_CAPACITY = 1_000;

    /** The most one query returns. */
    public static final int MAX_LIMIT = 1_000;

    /** An entry and its place in the sequence of all entries ever recorded. */
    private record Slot(long sequence, RecentResult result) {
    }

    private final int capacity;
    private final AtomicReferenceArray<Slot> slots;
    private final AtomicLong next = new AtomicLong();

    /** @param capacity how many outcomes to keep, at least 1 */
    public RecentResults(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    /** How many outcomes it keeps at most. */
    public int capacity() {
        return capacity;
    }

    /** Keeps an outcome, replacing the oldest when full. Never blocks, never throws. */
    public void record(RecentResult result) {
        long sequence = next.getAndIncrement();
        var slot = new Slot(sequence, result);
        int index = (int) (sequence % capacity);
        // A writer that stalled for a whole lap must not put its older entry over a newer one.
        while (true) {
            var current = slots.get(index);
            if (current != null && current.sequence() > sequence) {
                return;
            }
            if (slots.compareAndSet(index, current, slot)) {
                return;
            }
        }
    }

    /** The outcomes matching {@code query}, newest first, at most {@code query.limit()} of them. */
    public List<RecentResult> find(Query query) {
        var found = new ArrayList<RecentResult>(Math.min(query.limit(), capacity));
        long end = next.get();
        for (long sequence = end - 1; sequence >= Math.max(0, end - capacity) && found.size() < query.limit(); sequence--) {
            var slot = slots.get((int) (sequence % capacity));
            // Not written yet by its writer, or already replaced by a newer one: skip it.
            if (slot != null && slot.sequence() == sequence && query.matches(slot.result())) {
                found.add(slot.result());
            }
        }
        return found;
    }

    /**
     * What to look for; every filter given must match.
     *
     * @param domain  the recipient's domain, exactly (domains compare in their canonical lower case)
     * @param state   the step the last attempt ended at
     * @param outcome what became of the message
     * @param limit   the most to return, from 1 to {@value RecentResults#MAX_LIMIT}
     */
    public record Query(Optional<Domain> domain, Optional<AttemptState> state, Optional<RecentResult.Outcome> outcome, int limit) {

        public Query {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
            }
        }

        /** Everything, up to {@code limit}. */
        public static Query latest(int limit) {
            return new Query(Optional.empty(), Optional.empty(), Optional.empty(), limit);
        }

        public Query withDomain(Domain value) {
            return new Query(Optional.of(value), state, outcome, limit);
        }

        public Query withState(AttemptState value) {
            return new Query(domain, Optional.of(value), outcome, limit);
        }

        public Query withOutcome(RecentResult.Outcome value) {
            return new Query(domain, state, Optional.of(value), limit);
        }

        boolean matches(RecentResult result) {
            return (domain.isEmpty() || domain.equals(result.domain()))
                    && (state.isEmpty() || state.equals(result.state()))
                    && (outcome.isEmpty() || outcome.get() == result.outcome());
        }
    }
}
