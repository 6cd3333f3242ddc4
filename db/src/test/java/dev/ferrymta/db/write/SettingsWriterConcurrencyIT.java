package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.testing.db.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writers on separate threads, each with its own connection, as consoles on several instances would be. */
class SettingsWriterConcurrencyIT {

    static final int THREADS = 4;

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static SettingsWriter writer;

    ExecutorService threads;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        writer = new SettingsWriter(db.dataSource(), SettingsWriterIT.CLOCK);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void startThreads() {
        threads = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void concurrentWritersGetDistinctStrictlyIncreasingVersionsWithNoLostBump() throws Exception {
        int writesPerThread = 25;
        long start = db.version();

        var perThread = onAllThreads(thread -> () -> {
            var versions = new ArrayList<Long>();
            for (int i = 0; i < writesPerThread; i++) {
                var domain = "t%d-w%d.concurrent.example".formatted(thread, i);
                versions.add(writer.createThrottle(new ThrottleInput(null, domain, 2, null, null, null)).version());
            }
            return versions;
        });

        var all = perThread.stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(THREADS * writesPerThread).doesNotHaveDuplicates()
                .allSatisfy(version -> assertThat(version).isBetween(start + 1, start + THREADS * writesPerThread));
        assertThat(perThread).allSatisfy(versions -> assertThat(versions).isSorted());
        assertThat(db.version()).isEqualTo(start + THREADS * writesPerThread);
        assertThat(db.count("SELECT 1 FROM throttles WHERE domain::text LIKE '%.concurrent.example'")).isEqualTo(THREADS * writesPerThread);
    }

    @Test
    void concurrentUpdatesFromTheSameRevisionLetExactlyOneWin() throws Exception {
        var domain = db.uniqueDomain();
        var created = writer.createThrottle(new ThrottleInput(null, domain, 1, null, null, null));

        var outcomes = onAllThreads(thread -> () -> {
            try {
                writer.updateThrottle(created.id(), 1, new ThrottleInput(null, domain, 10 + thread, null, null, null));
                return "updated";
            } catch (SettingsConflictException e) {
                return "conflict at revision " + e.currentRevision();
            }
        });

        assertThat(outcomes).containsOnlyOnce("updated").filteredOn(outcome -> !outcome.equals("updated"))
                .hasSize(THREADS - 1).containsOnly("conflict at revision 2");
        assertThat(db.value("SELECT revision FROM throttles WHERE id = ?", created.id())).isEqualTo(2);
        assertThat(db.version()).isEqualTo(created.version() + 1);
    }

    @Test
    void concurrentAdditionsToOnePoolKeepEveryIp() throws Exception {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, null));
        int ipsPerThread = 10;

        onAllThreads(thread -> () -> {
            for (int i = 0; i < ipsPerThread; i++) {
                writer.addPoolIp(name, "198.51.100." + (thread * ipsPerThread + i));
            }
            return null;
        });

        assertThat(db.count("SELECT 1 FROM ip_pool_ips WHERE pool_id = ?", created.id())).isEqualTo(THREADS * ipsPerThread);
        assertThat(db.value("SELECT revision FROM ip_pools WHERE id = ?", created.id())).isEqualTo(1 + THREADS * ipsPerThread);
    }

    /** Runs one task per thread, all let go at once, and returns their results in thread order. */
    private <T> List<T> onAllThreads(IntFunction<Callable<T>> task) throws Exception {
        var go = new CountDownLatch(1);
        var futures = new ArrayList<Future<T>>();
        for (int thread = 0; thread < THREADS; thread++) {
            var work = task.apply(thread);
            futures.add(threads.submit(() -> {
                go.await();
                return work.call();
            }));
        }
        go.countDown();
        var results = new ArrayList<T>();
        for (var future : futures) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }
}
