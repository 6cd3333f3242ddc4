package dev.ferrymta.relay.smtp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the SMTP connections whose current read or write has outlived its deadline (RFC 5321
 * section 4.5.3.2): one watcher thread for every connection, which looks at them a few times per
 * shortest timeout. A read or write only writes its deadline into its {@link Guard} and clears it
 * after; nothing is scheduled, cancelled or woken per operation. (A timer per operation, or a
 * socket read timeout, costs a timer queue insert and removal, and on a virtual thread a timed
 * park, for every read and write of every message: about a fifth of Ferry's CPU per delivered
 * message in the profile of issue 19.)
 *
 * <p>A deadline passes at most one sweep late: a quarter of the guard's timeout, at most
 * {@link #MAX_SWEEP}. The operation cut off fails with an {@link IOException}, and
 * {@link Guard#expired()} tells the caller that it was the deadline.
 */
final class StallWatch {

    private static final Logger log = LoggerFactory.getLogger(StallWatch.class);

    /** The longest wait between two sweeps. */
    static final Duration MAX_SWEEP = Duration.ofMillis(250);

    /** The shortest wait between two sweeps. */
    static final Duration MIN_SWEEP = Duration.ofMillis(10);

    /** The one watch of this JVM's SMTP connections. */
    static final StallWatch SHARED = new StallWatch(System::nanoTime, true);

    private final LongSupplier nanoTime;
    private final boolean watching;
    private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
    private volatile Thread watcher;

    /** @param watching whether a watcher thread sweeps; without one, only calls to {@link #sweep()} do */
    StallWatch(LongSupplier nanoTime, boolean watching) {
        this.nanoTime = nanoTime;
        this.watching = watching;
    }

    /**
     * A guard for one connection, watched until {@code connection} is closed.
     *
     * @param connection closed when a deadline passes: the plain TCP socket, also under TLS, as
     *                   closing it does not itself need to write
     * @param timeout    the connection's usual timeout: the watcher looks at it at least four times in it
     */
    Guard guard(Socket connection, Duration timeout) {
        var guard = new Guard(connection, Math.clamp(timeout.toNanos() / 4, MIN_SWEEP.toNanos(), MAX_SWEEP.toNanos()));
        guards.add(guard);
        wake();
        return guard;
    }

    /** Guards watched now (closed connections are dropped at the next sweep). */
    int watched() {
        return guards.size();
    }

    /**
     * One look at every guard: closes the connections whose deadline has passed, forgets those
     * closed.
     *
     * @return the wait until the next sweep, in nanoseconds; 0 when nothing is watched
     */
    long sweep() {
        long now = nanoTime.getAsLong();
        long next = 0;
        for (var guard : guards) {
            if (guard.connection.isClosed()) {
                guards.remove(guard);
                continue;
            }
            guard.check(now);
            next = next == 0 ? guard.sweepNanos : Math.min(next, guard.sweepNanos);
        }
        return next;
    }

    private void wake() {
        if (!watching) {
            return;
        }
        var current = watcher;
        if (current == null) {
            synchronized (this) {
                if (watcher == null) {
                    watcher = Thread.ofPlatform().daemon().name("smtp-deadlines").start(this::watch);
                }
                return;
            }
        }
        LockSupport.unpark(current);
    }

    private void watch() {
        while (true) {
            long wait;
            try {
                wait = sweep();
            } catch (RuntimeException | Error e) {
                // The watcher must outlive anything one connection does: without it nothing times out.
                log.error("the SMTP deadline sweep failed", e);
                wait = MAX_SWEEP.toNanos();
            }
            if (wait == 0) {
                LockSupport.park(this); // until a connection is guarded
            } else {
                LockSupport.parkNanos(this, wait);
            }
            Thread.interrupted(); // nothing stops it: it is a daemon
        }
    }

    /** The deadline of one connection's read or write under way, if any. */
    static final class Guard {

        private static final long NONE = Long.MIN_VALUE;

        private final Socket connection;
        private final long sweepNanos;
        private volatile long deadline = NONE;
        private volatile boolean expired;

        private Guard(Socket connection, long sweepNanos) {
            this.connection = connection;
            this.sweepNanos = sweepNanos;
        }

        /** A read or write starts that must be over by {@code deadlineNanos} ({@link System#nanoTime()}). */
        void arm(long deadlineNanos) {
            deadline = deadlineNanos == NONE ? NONE + 1 : deadlineNanos;
        }

        /** The read or write is over. */
        void disarm() {
            deadline = NONE;
        }

        /** Whether a deadline passed and the connection was closed for it. */
        boolean expired() {
            return expired;
        }

        void check(long nowNanos) {
            long due = deadline;
            if (due != NONE && nowNanos - due >= 0 && !expired) {
                expired = true;
                try {
                    connection.close();
                } catch (IOException e) {
                    log.debug("closing the stalled SMTP connection to {} failed: {}", connection.getInetAddress(), e.toString());
                }
            }
        }
    }
}
