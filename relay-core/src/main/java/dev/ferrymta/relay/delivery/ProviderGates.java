package dev.ferrymta.relay.delivery;

import dev.ferrymta.relay.settings.ProviderLimits;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the lanes of one local IP share for one provider group: the connections open to the provider
 * and the pace of message starts, so a provider throttle ("20 connections from each IP to
 * Google") holds across every domain the provider hosts, each domain having its own lane. A lane's
 * worker takes a connection {@link Gate#open permit} before it connects and gives it back when the
 * connection closes, and {@link Gate#reserve reserves} a start before each message. Thread-safe.
 */
public final class ProviderGates {

    private record Key(InetAddress ip, String provider) {
    }

    private final ConcurrentHashMap<Key, Gate> gates = new ConcurrentHashMap<>();
    private final Clock clock;

    public ProviderGates(Clock clock) {
        this.clock = clock;
    }

    /** The gate of sending from {@code ip} to {@code provider}. */
    public Gate gate(InetAddress ip, String provider) {
        return gates.computeIfAbsent(new Key(ip, provider), key -> new Gate());
    }

    /** One (local IP, provider) pair's connections and pace. */
    public final class Gate {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition freed = lock.newCondition();
        private final RatePacer pacer = new RatePacer();
        private int open;

        /** Connections open now through this gate. */
        public int open() {
            lock.lock();
            try {
                return open;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Takes a connection permit when fewer than the limits' connections are open, waiting up
         * to {@code patience} for one; a limit without a connection cap always has room.
         *
         * @return whether a permit was taken (give it back with {@link #close})
         * @throws InterruptedException when the waiting thread is interrupted (the relay stops)
         */
        public boolean open(ProviderLimits limits, Duration patience) throws InterruptedException {
            long nanos = patience.toNanos();
            lock.lock();
            try {
                while (limits.maxConnections().isPresent() && open >= limits.maxConnections().getAsInt()) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = freed.awaitNanos(nanos);
                }
                open++;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Gives back a permit {@link #open} took. */
        public void close() {
            lock.lock();
            try {
                open--;
                freed.signal();
            } finally {
                lock.unlock();
            }
        }

        /** The time the next message may start under {@code perMinute} starts a minute for the whole provider. */
        public Instant reserve(int perMinute) {
            lock.lock();
            try {
                return pacer.reserve(clock.instant(), perMinute);
            } finally {
                lock.unlock();
            }
        }
    }
}
