package dev.ferrymta.db;

import dev.ferrymta.relay.settings.CurrentSettings;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link CurrentSettings} up to date from the database: the {@code NOTIFY} listener for
 * changes as they happen, and a version check every {@code database-ttl} as the safety net for a
 * lost signal. Both end in the same {@code reloadIfNewer} path the cluster's reset uses.
 */
public final class SettingsReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SettingsReloader.class);

    private final SettingsChangeListener listener;
    private final ScheduledExecutorService checker =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("settings-check").factory());
    private final CurrentSettings settings;
    private final Duration ttl;

    public SettingsReloader(DatabasePool database, CurrentSettings settings, Duration ttl) {
        this.settings = settings;
        this.ttl = ttl;
        this.listener = new SettingsChangeListener(database::openUnpooled, settings::reloadIfNewer, settings::check);
    }

    /** Starts the listener and the periodic check. */
    public void start() {
        listener.start();
        checker.scheduleWithFixedDelay(this::check, ttl.toMillis(), ttl.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A failed check must not end the schedule: an executor drops a task that throws. */
    private void check() {
        try {
            settings.check();
        } catch (RuntimeException e) {
            log.error("settings version check failed", e);
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
        listener.close();
    }
}
