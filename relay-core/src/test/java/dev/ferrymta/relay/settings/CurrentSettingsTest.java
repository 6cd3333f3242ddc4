package dev.ferrymta.relay.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CurrentSettingsTest {

    /** A source whose version the test sets, and which can be made to fail. */
    private static final class FakeSource implements SettingsSource {
        final AtomicLong version = new AtomicLong(1);
        final AtomicInteger loads = new AtomicInteger();
        volatile boolean down;
        /** When set, each load runs it first (to hold a load in progress). */
        volatile Gate gate;

        @Override
        public Settings load() {
            if (down) {
                throw new SettingsUnavailableException("down", null);
            }
            long snapshot = version.get(); // as a transaction's snapshot: taken when the load begins
            var held = gate;
            if (held != null) {
                try {
                    held.pass();
                } catch (InterruptedException e) {
                    throw new SettingsUnavailableException("interrupted", e);
                }
            }
            loads.incrementAndGet();
            return new Settings(snapshot, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }

        @Override
        public long currentVersion() {
            if (down) {
                throw new SettingsUnavailableException("down", null);
            }
            return version.get();
        }
    }

    @FunctionalInterface
    private interface Gate {
        void pass() throws InterruptedException;
    }

    private final FakeSource source = new FakeSource();
    private final CurrentSettings settings = new CurrentSettings(source);

    @Test
    void reloadsWhenAnnouncedVersionIsNewer() {
        settings.loadInitial();
        source.version.set(2);

        assertThat(settings.reloadIfNewer(2)).isTrue();
        assertThat(settings.version()).isEqualTo(2);
    }

    @Test
    void ignoresAnAnnouncedVersionItAlreadyHas() {
        settings.loadInitial();

        assertThat(settings.reloadIfNewer(1)).isFalse();
        assertThat(source.loads).hasValue(1);
    }

    @Test
    void signalsOfAChangeThatArriveWhileItIsLoadingLoadNothingMore() throws Exception {
        settings.loadInitial();
        source.version.set(2);
        var release = new CountDownLatch(1);
        var first = holdReload(2, release);
        // The database notification and the cluster's reset for the same version, while it loads.
        var answers = new CopyOnWriteArrayList<Boolean>();
        var later = List.of(Thread.ofPlatform().start(() -> answers.add(settings.reloadIfNewer(2))),
                Thread.ofPlatform().start(() -> answers.add(settings.reloadIfNewer(2))));
        awaitBlocked(later);

        release.countDown();
        first.join();
        for (var thread : later) {
            thread.join();
        }

        assertThat(source.loads).as("the first load and the one that brought version 2").hasValue(2);
        assertThat(answers).containsExactly(true, true);
        assertThat(settings.version()).isEqualTo(2);
    }

    @Test
    void aNewerVersionThanTheOneLoadingIsLoadedAfterIt() throws Exception {
        settings.loadInitial();
        source.version.set(2);
        var release = new CountDownLatch(1);
        var first = holdReload(2, release);
        var newer = Thread.ofPlatform().start(() -> settings.reloadIfNewer(3));
        awaitBlocked(List.of(newer));
        source.version.set(3);

        release.countDown();
        first.join();
        newer.join();

        assertThat(source.loads).hasValue(3);
        assertThat(settings.version()).isEqualTo(3);
    }

    /** Starts {@code reloadIfNewer(version)} on a thread and returns once its load is under way, held until {@code release}. */
    private Thread holdReload(long version, CountDownLatch release) throws InterruptedException {
        var loading = new CountDownLatch(1);
        source.gate = () -> {
            loading.countDown();
            release.await();
        };
        var thread = Thread.ofPlatform().start(() -> settings.reloadIfNewer(version));
        assertThat(loading.await(10, TimeUnit.SECONDS)).as("the load under way").isTrue();
        source.gate = null;
        return thread;
    }

    /** Returns once every thread waits for the reload lock (at most 10 s). */
    private static void awaitBlocked(List<Thread> threads) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!threads.stream().allMatch(thread -> thread.getState() == Thread.State.BLOCKED)) {
            assertThat(System.nanoTime() - deadline).as("the signals waiting for the reload in progress").isNegative();
            Thread.onSpinWait();
        }
    }

    @Test
    void neverGoesBackToAnOlderSnapshot() {
        source.version.set(5);
        settings.loadInitial();
        source.version.set(4);

        settings.reload("test");

        assertThat(settings.version()).isEqualTo(5);
    }

    @Test
    void keepsTheLastSnapshotWhileTheSourceIsDown() {
        settings.loadInitial();
        source.down = true;

        assertThat(settings.check()).isFalse();
        assertThat(settings.reloadIfNewer(9)).isFalse();
        assertThat(settings.version()).isEqualTo(1);
    }

    @Test
    void checkCatchesUpOnAMissedSignalOnceTheSourceIsBack() {
        settings.loadInitial();
        source.down = true;
        source.version.set(3);
        settings.check();
        source.down = false;

        assertThat(settings.check()).isTrue();
        assertThat(settings.version()).isEqualTo(3);
    }

    @Test
    void refusesToStartWithoutAFirstSnapshot() {
        source.down = true;

        assertThatThrownBy(settings::loadInitial).isInstanceOf(SettingsUnavailableException.class);
    }

    @Test
    void tellsListenersAfterTheNewSnapshotIsInForce() {
        var seen = new ArrayList<Long>();
        settings.onChange(s -> seen.add(settings.version() == s.version() ? s.version() : -1));
        settings.loadInitial();
        source.version.set(2);
        settings.reloadIfNewer(2);

        assertThat(seen).containsExactly(1L, 2L);
    }

    @Test
    void readersSeeVersionsOnlyGoUpUnderConcurrentReloads() throws Exception {
        settings.loadInitial();
        var problems = new CopyOnWriteArrayList<String>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int reader = 0; reader < 4; reader++) {
                executor.submit(() -> {
                    long last = 0;
                    for (int i = 0; i < 20_000; i++) {
                        long now = settings.get().version();
                        if (now < last) {
                            problems.add(now + " after " + last);
                        }
                        last = now;
                    }
                });
            }
            for (int writer = 0; writer < 2; writer++) {
                executor.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        settings.reloadIfNewer(source.version.incrementAndGet());
                    }
                });
            }
        }

        assertThat(problems).isEmpty();
        assertThat(settings.version()).isEqualTo(source.version.get());
    }
}
