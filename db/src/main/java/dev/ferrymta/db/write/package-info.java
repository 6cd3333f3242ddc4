/**
 * The settings writes the web console makes: {@link dev.ferrymta.db.write.SettingsWriter} validates a
 * form's plain values, then changes one settings row and bumps {@code config_version} in one
 * transaction, with optimistic concurrency on each row's revision and field-level errors for
 * everything it refuses.
 */
package dev.ferrymta.db.write;
