package dev.ferrymta.relay.settings;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link SettingsSource} for tests: holds one snapshot that the test swaps, as a database write
 * would; {@link #apply} also puts it in force on the {@link CurrentSettings} it feeds.
 */
public final class SwappableSettings implements SettingsSource {

    private final AtomicReference<Settings> settings;
    private final CurrentSettings current;

    public SwappableSettings(Settings initial) {
        this.settings = new AtomicReference<>(initial);
        this.current = new CurrentSettings(this);
    }

    /** The settings in force, fed by this source. */
    public CurrentSettings current() {
        return current;
    }

    /** Replaces the snapshot the source gives, without a reload. */
    public void set(Settings next) {
        settings.set(next);
    }

    /** Replaces the snapshot and reloads, as a reset broadcast would. */
    public void apply(Settings next) {
        settings.set(next);
        current.reloadIfNewer(next.version());
    }

    @Override
    public Settings load() {
        return settings.get();
    }

    @Override
    public long currentVersion() {
        return settings.get().version();
    }
}
