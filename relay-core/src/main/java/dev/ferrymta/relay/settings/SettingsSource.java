package dev.ferrymta.relay.settings;

/**
 * Where the shared settings come from (the database, in production). The port through which the
 * relay reads settings without knowing JDBC.
 */
public interface SettingsSource {

    /**
     * Reads every setting in one consistent snapshot.
     *
     * @throws SettingsUnavailableException when the source cannot be read now
     */
    Settings load();

    /**
     * The newest settings version, cheaper than {@link #load()}.
     *
     * @throws SettingsUnavailableException when the source cannot be read now
     */
    long currentVersion();
}
