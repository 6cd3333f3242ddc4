package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.smtp.SmtpEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers one delivery attempt may try, resolved once when the attempt starts and then walked
 * in order: the destination's hosts by preference (equal preferences shuffled once, not again on
 * every try), each host's addresses of the source IP's family. Bounded as Postfix bounds it: at
 * most {@link #MAX_ADDRESSES} addresses in all, and at most {@link #MAX_SESSIONS} servers that got
 * as far as a greeting and then refused for now. What was tried is kept for the result.
 * Used by one lane worker at a time.
 */
public final class MxPlan {

    /** Addresses one attempt tries at most (Postfix's {@code smtp_mx_address_limit}). */
    public static final int MAX_ADDRESSES = 5;

    /** Servers that greeted and refused one attempt tries at most (Postfix's {@code smtp_mx_session_limit}). */
    public static final int MAX_SESSIONS = 2;

    /**
     * One server to try.
     *
     * @param endpoint  where to connect
     * @param hostIndex the host's place among the destination's hosts
     */
    public record Candidate(SmtpEndpoint endpoint, int hostIndex) {
    }

    private final List<Candidate> candidates;
    private final List<String> skipped;
    private final List<String> tried = new ArrayList<>();
    private int next;
    private int sessions;

    /**
     * @param candidates the servers in order (at most {@link #MAX_ADDRESSES} are kept)
     * @param skipped    hosts or addresses left out, each with why (no address, refused destination)
     */
    public MxPlan(List<Candidate> candidates, List<String> skipped) {
        this.candidates = new ArrayList<>(candidates.subList(0, Math.min(candidates.size(), MAX_ADDRESSES)));
        this.skipped = List.copyOf(skipped);
    }

    /** The next server to try, when any is left and the session cap is not reached. */
    public Optional<Candidate> next() {
        if (next >= candidates.size() || sessions >= MAX_SESSIONS) {
            return Optional.empty();
        }
        var candidate = candidates.get(next++);
        tried.add(candidate.endpoint().toString());
        return Optional.of(candidate);
    }

    /** Whether {@link #next()} has another server. */
    public boolean hasNext() {
        return next < candidates.size() && sessions < MAX_SESSIONS;
    }

    /** A server greeted and then refused for now: it counts against {@link #MAX_SESSIONS}. */
    public void sessionRefused() {
        sessions++;
    }

    /** Leaves out the servers at {@code endpoint}: a kept connection to it just refused. */
    public void alreadyTried(SmtpEndpoint endpoint) {
        var kept = new ArrayList<Candidate>();
        for (int i = next; i < candidates.size(); i++) {
            if (!candidates.get(i).endpoint().equals(endpoint)) {
                kept.add(candidates.get(i));
            }
        }
        var done = new ArrayList<>(candidates.subList(0, next));
        done.addAll(kept);
        candidates.clear();
        candidates.addAll(done);
        tried.add(endpoint.toString());
        sessions++;
    }

    /** Whether there was nothing to try at all. */
    public boolean isEmpty() {
        return candidates.isEmpty();
    }

    /** The servers tried so far, in order, e.g. {@code mx1.example.test[192.0.2.1]:25}. */
    public List<String> tried() {
        return List.copyOf(tried);
    }

    /** What was left out of the plan, and why. */
    public List<String> skipped() {
        return skipped;
    }

    /** For a result's description: which servers were tried and what was left out. */
    public String summary() {
        var parts = new ArrayList<String>();
        if (!tried.isEmpty()) {
            parts.add("tried " + String.join(", ", tried));
        }
        if (!skipped.isEmpty()) {
            parts.add("left out " + String.join("; ", skipped));
        }
        return String.join("; ", parts);
    }
}
