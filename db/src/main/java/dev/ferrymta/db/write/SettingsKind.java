package dev.ferrymta.db.write;

import dev.ferrymta.relay.settings.Settings;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One kind of shared settings row, everything the API and the console need to know of it in one
 * place ({@link SettingsKinds#ALL} lists them): its name in URLs, its words, its table, the input
 * record a create or an update takes, the writes, and its rows as shown.
 *
 * @param path     the name in {@code /api/settings/PATH} and on the settings page: {@code throttles}
 * @param title    the settings page's heading: {@code Throttles}
 * @param singular one row in words, with its article: {@code a throttle}
 * @param table    the table it lives in
 * @param input    the record a create or an update takes; its components are the fields of the API and the forms
 * @param <I>      the input record type
 */
public record SettingsKind<I extends Record>(String path, String title, String singular, SettingsTable table, Class<I> input,
        BiFunction<SettingsWriter, I, WriteResult> creator, Updater<I> updater, Deleter deleter,
        Function<Settings, List<Map<String, Object>>> lister) {

    /** Replaces a row: id, the revision it was read at, the new values. */
    @FunctionalInterface
    public interface Updater<I> {
        WriteResult update(SettingsWriter writer, long id, int revision, I input);
    }

    /** Deletes a row: id and the revision it was read at. */
    @FunctionalInterface
    public interface Deleter {
        WriteResult delete(SettingsWriter writer, long id, int revision);
    }

    public SettingsKind {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(input, "input");
        if (!input.isRecord()) {
            throw new IllegalArgumentException(input + " is not a record");
        }
    }

    /** Creates a row from {@code input}; every refusal is an outcome, never an exception. */
    public WriteOutcome create(SettingsWriter writer, I input) {
        return WriteOutcome.of(() -> creator.apply(writer, input));
    }

    /** Replaces row {@code id}, read at {@code revision}. */
    public WriteOutcome update(SettingsWriter writer, long id, int revision, I input) {
        return WriteOutcome.of(() -> updater.update(writer, id, revision, input));
    }

    /** Deletes row {@code id}, read at {@code revision}. */
    public WriteOutcome delete(SettingsWriter writer, long id, int revision) {
        return WriteOutcome.of(() -> deleter.delete(writer, id, revision));
    }

    /** This kind's rows in {@code settings}, as the API shows them. */
    public List<Map<String, Object>> rows(Settings settings) {
        return lister.apply(settings);
    }
}
