package dev.ferrymta.relay.settings;

/** The settings source cannot be read now (the database is down, say); the last snapshot stays in force. */
public final class SettingsUnavailableException extends RuntimeException {

    public SettingsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
