package dev.ferrymta.db;

/** The database's schema is newer than this build of Ferry: upgrade Ferry before starting it. */
public final class DatabaseTooNewException extends RuntimeException {

    public DatabaseTooNewException(String databaseVersion, String knownVersion) {
        super("the database schema is at version %s, newer than this Ferry knows (up to %s): upgrade Ferry to the version the other instances run"
                .formatted(databaseVersion, knownVersion));
    }
}
