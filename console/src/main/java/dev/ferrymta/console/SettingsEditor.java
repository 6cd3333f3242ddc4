package dev.ferrymta.console;

import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.db.write.WriteOutcome;
import dev.ferrymta.db.write.WriteResult;
import dev.ferrymta.relay.settings.CurrentSettings;
import dev.ferrymta.relay.settings.Settings;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * How the console changes the shared settings: a write commits in the database (which bumps
 * {@code config_version}), then the new version is broadcast to the cluster ({@code reset}), then
 * this instance reloads, so the answer to the write already shows the new settings here.
 */
public final class SettingsEditor {

    private final CurrentSettings settings;
    private final SettingsWriter writer;
    private final LongConsumer broadcast;

    /**
     * @param settings  this instance's settings in force
     * @param writer    writes to the shared database
     * @param broadcast tells the other instances that a version is committed (the cluster's reset)
     */
    public SettingsEditor(CurrentSettings settings, SettingsWriter writer, LongConsumer broadcast) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.broadcast = Objects.requireNonNull(broadcast, "broadcast");
    }

    /** The settings in force on this instance. */
    public Settings current() {
        return settings.get();
    }

    /**
     * Makes one write; a committed one is broadcast and reloaded before its outcome returns. A
     * refused one changed nothing.
     */
    public WriteOutcome apply(Function<SettingsWriter, WriteOutcome> change) {
        var outcome = change.apply(writer);
        if (outcome instanceof WriteOutcome.Written written) {
            announce(written.result());
        }
        return outcome;
    }

    private void announce(WriteResult result) {
        // Peers first, so they load while this instance does; the database's NOTIFY is the
        // second path to the same reload, and the periodic version check the third.
        broadcast.accept(result.version());
        settings.reloadIfNewer(result.version());
    }
}
