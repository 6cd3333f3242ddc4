package dev.ferrymta.relay.settings;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings in force: one snapshot, replaced whole. Readers call {@link #get()} and keep the
 * snapshot for the decision at hand, so they never see half of an update. Every change signal
 * (database notification, periodic check, cluster reset) ends in {@link #reloadIfNewer(long)}.
 * While the source is unavailable the last snapshot stays in force; the outage is logged once.
 */
public final class CurrentSettings {

    private static final Logger log = LoggerFactory.getLogger(CurrentSettings.class);

    private final SettingsSource source;
    private final AtomicReference<Settings> current = new AtomicReference<>(Settings.EMPTY);
    private final List<Consumer<Settings>> listeners = new CopyOnWriteArrayList<>();
    private final Object reloadLock = new Object();
    private volatile boolean failing;
    private final java.util.concurrent.atomic.LongAdder failedLoads = new java.util.concurrent.atomic.LongAdder();

    public CurrentSettings(SettingsSource source) {
        this.source = source;
    }

    /** The snapshot in force. */
    public Settings get() {
        return current.get();
    }

    /** The version in force. */
    public long version() {
        return current.get().version();
    }

    /** Calls {@code listener} with each new snapshot after it is in force. */
    public void onChange(Consumer<Settings> listener) {
        listeners.add(listener);
    }

    /**
     * Loads the first snapshot; throws when the source is unavailable, since an instance should
     * not deliver without knowing its throttles and pauses.
     */
    public Settings loadInitial() {
        synchronized (reloadLock) {
            var loaded = source.load();
            install(loaded);
            return loaded;
        }
    }

    /**
     * Reloads when {@code version} is newer than the one in force.
     *
     * @return whether a newer snapshot is in force afterwards
     */
    public boolean reloadIfNewer(long version) {
        if (version <= version()) {
            return false;
        }
        synchronized (reloadLock) {
            // One change reaches an instance by several signals at once (its database notification,
            // the cluster's reset, and on the instance that wrote it the write itself): those that
            // waited here while the first one loaded find its version in force and load nothing.
            if (version <= version()) {
                return true;
            }
            return reloadLocked("version " + version + " announced");
        }
    }

    /** Asks the source for its version and reloads when it is newer: the periodic safety net. */
    public boolean check() {
        long newest;
        try {
            newest = source.currentVersion();
        } catch (SettingsUnavailableException e) {
            noteFailure(e);
            return false;
        }
        return reloadIfNewer(newest);
    }

    /**
     * Reloads whatever the version, as MailerQ's {@code {"reload":true}} asks.
     *
     * @return whether the reload succeeded
     */
    public boolean reload(String why) {
        synchronized (reloadLock) {
            return reloadLocked(why);
        }
    }

    /** A reload under {@code reloadLock}. */
    private boolean reloadLocked(String why) {
        Settings loaded;
        try {
            loaded = source.load();
        } catch (SettingsUnavailableException e) {
            noteFailure(e);
            return false;
        }
        if (failing) {
            failing = false;
            log.info("settings can be read again");
        }
        // Signals can arrive out of order; never go back to an older snapshot.
        if (loaded.version() < version()) {
            return false;
        }
        long previous = version();
        install(loaded);
        if (loaded.version() != previous) {
            log.info("settings reloaded: version {} -> {} ({})", previous, loaded.version(), why);
        }
        return true;
    }

    private void install(Settings loaded) {
        current.set(loaded);
        for (var listener : listeners) {
            try {
                listener.accept(loaded);
            } catch (RuntimeException e) {
                log.error("a settings listener failed on version {}", loaded.version(), e);
            }
        }
    }

    /** Loads that failed since start (the database away, say): each kept the snapshot in force. */
    public long failedLoads() {
        return failedLoads.sum();
    }

    private void noteFailure(SettingsUnavailableException e) {
        failedLoads.increment();
        if (!failing) {
            failing = true;
            log.warn("cannot read the settings: {}; keeping version {} until they can be read", e.getMessage(), version());
        }
    }
}
