package dev.ferrymta.console;

import dev.ferrymta.relay.outbox.RelayCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Per-minute rates from the relay's ever-growing counters: samples taken every few seconds are
 * kept for a little over a minute, and a rate is the growth since the oldest of them, scaled to
 * one minute. Thread-safe.
 */
final class Rates {

    static final Duration WINDOW = Duration.ofMinutes(1);

    /** Messages per minute, by what happened to them. */
    record PerMinute(double delivered, double temporary, double permanent, double forwarded) {
    }

    private record Sample(Instant at, RelayCounters.Counts counts) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    synchronized void sample(Instant now, RelayCounters.Counts counts) {
        samples.addLast(new Sample(now, counts));
        // Keep one sample at least a window old, so the rate always spans the whole minute.
        while (samples.size() > 2 && !samples.stream().skip(1).findFirst().orElseThrow().at().isAfter(now.minus(WINDOW))) {
            samples.removeFirst();
        }
    }

    /** The rates up to {@code now}; empty until samples span at least five seconds. */
    synchronized Optional<PerMinute> perMinute(Instant now, RelayCounters.Counts current) {
        var oldest = samples.peekFirst();
        if (oldest == null) {
            return Optional.empty();
        }
        double seconds = Duration.between(oldest.at(), now).toMillis() / 1000.0;
        if (seconds < 5) {
            return Optional.empty();
        }
        double scale = 60 / seconds;
        var before = oldest.counts();
        return Optional.of(new PerMinute((current.delivered() - before.delivered()) * scale,
                (current.retried() - before.retried()) * scale, (current.failed() - before.failed()) * scale,
                (current.forwarded() - before.forwarded()) * scale));
    }
}
