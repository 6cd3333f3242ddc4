package dev.ferrymta.testing.smtp;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counts accepted, open and most-ever-concurrent connections, overall and per client address. */
final class ConnectionGauge {

    private static final class Count {
        int open;
        int max;
    }

    private final Count total = new Count();
    private final Map<InetAddress, Count> byClient = new HashMap<>();
    private int accepted;

    /** Counts a new connection; running the returned action (once or more) uncounts it. */
    synchronized Runnable opened(InetAddress client) {
        accepted++;
        increment(total);
        increment(byClient.computeIfAbsent(client, any -> new Count()));
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                closed(client);
            }
        };
    }

    synchronized int accepted() {
        return accepted;
    }

    synchronized int open() {
        return total.open;
    }

    synchronized int maxOpen() {
        return total.max;
    }

    synchronized int open(InetAddress client) {
        Count count = byClient.get(client);
        return count == null ? 0 : count.open;
    }

    synchronized int maxOpen(InetAddress client) {
        Count count = byClient.get(client);
        return count == null ? 0 : count.max;
    }

    /** Forgets history; connections still open stay counted, so the maxima restart from them. */
    synchronized void reset() {
        accepted = 0;
        total.max = total.open;
        byClient.values().removeIf(count -> count.open == 0);
        byClient.values().forEach(count -> count.max = count.open);
    }

    private synchronized void closed(InetAddress client) {
        total.open--;
        byClient.get(client).open--;
    }

    private static void increment(Count count) {
        count.open++;
        count.max = Math.max(count.max, count.open);
    }
}
