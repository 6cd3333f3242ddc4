package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sweeps of {@link StallWatch}, on a clock the test moves; no watcher thread takes part. */
class StallWatchTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StallWatch watch = new StallWatch(now::get, false);

    @Test
    void closesAConnectionWhoseReadOrWriteOutlivedItsDeadline() throws Exception {
        try (var socket = new Socket()) {
            var guard = new StallWatch(now::get, false).guard(socket, Duration.ofSeconds(1));
            guard.arm(now.get() + Duration.ofSeconds(1).toNanos());
            now.addAndGet(Duration.ofMillis(999).toNanos());
            guard.check(now.get());
            assertThat(socket.isClosed()).isFalse();
            assertThat(guard.expired()).isFalse();

            now.addAndGet(Duration.ofMillis(1).toNanos());
            guard.check(now.get());
            assertThat(socket.isClosed()).isTrue();
            assertThat(guard.expired()).isTrue();
        }
    }

    @Test
    void leavesAConnectionAloneOnceItsOperationIsOver() throws Exception {
        try (var socket = new Socket()) {
            var guard = watch.guard(socket, Duration.ofSeconds(1));
            guard.arm(now.get() + Duration.ofSeconds(1).toNanos());
            guard.disarm();
            now.addAndGet(Duration.ofHours(1).toNanos());
            watch.sweep();
            assertThat(socket.isClosed()).isFalse();
            assertThat(guard.expired()).isFalse();
        }
    }

    @Test
    void aDeadlineAtAnyValueOfTheClockCounts() throws Exception {
        now.set(Long.MAX_VALUE - 10);
        try (var socket = new Socket()) {
            var guard = watch.guard(socket, Duration.ofSeconds(1));
            guard.arm(now.get() + 100); // wraps around, as System.nanoTime() may
            now.addAndGet(50);
            watch.sweep();
            assertThat(socket.isClosed()).isFalse();
            now.addAndGet(50);
            watch.sweep();
            assertThat(socket.isClosed()).isTrue();
        }
    }

    @Test
    void forgetsClosedConnectionsAndSweepsAtAQuarterOfTheShortestTimeout() throws Exception {
        var quick = new Socket();
        var slow = new Socket();
        try (quick; slow) {
            watch.guard(quick, Duration.ofMillis(400));
            watch.guard(slow, Duration.ofMinutes(5));
            assertThat(watch.watched()).isEqualTo(2);
            assertThat(Duration.ofNanos(watch.sweep())).isEqualTo(Duration.ofMillis(100));

            quick.close();
            assertThat(Duration.ofNanos(watch.sweep())).isEqualTo(StallWatch.MAX_SWEEP);
            assertThat(watch.watched()).isEqualTo(1);

            slow.close();
            assertThat(watch.sweep()).isZero();
            assertThat(watch.watched()).isZero();
        }
    }
}
