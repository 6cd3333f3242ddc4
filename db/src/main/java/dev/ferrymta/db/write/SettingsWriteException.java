package dev.ferrymta.db.write;

/**
 * A settings write that did not happen. The subtypes tell the console what to answer: invalid
 * input (400), no such row (404), changed by someone else (409), database trouble (503).
 */
public abstract sealed class SettingsWriteException extends RuntimeException
        permits InvalidSettingsException, SettingsNotFoundException, SettingsConflictException, SettingsWriteFailedException {

    SettingsWriteException(String message) {
        super(message);
    }

    SettingsWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
