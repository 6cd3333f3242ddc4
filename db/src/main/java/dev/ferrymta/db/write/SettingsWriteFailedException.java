package dev.ferrymta.db.write;

/**
 * The database could not carry out a settings write (unreachable, timed out, shutting down). The
 * transaction was rolled back, unless the connection broke during the commit itself, in which case
 * the write may have happened: the console should reload before trying again.
 */
public final class SettingsWriteFailedException extends SettingsWriteException {

    public SettingsWriteFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
