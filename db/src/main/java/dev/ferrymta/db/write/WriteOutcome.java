package dev.ferrymta.db.write;

import java.util.List;
import java.util.function.Supplier;

/**
 * How a settings write ended, for the API and the console's forms alike: one of five, instead of a
 * result or one of four exceptions.
 */
public sealed interface WriteOutcome {

    /** Committed: the row's id, its new revision and the new {@code config_version}. */
    record Written(WriteResult result) implements WriteOutcome {
    }

    /** Refused before anything changed: every problem, field by field. */
    record Invalid(List<FieldError> errors) implements WriteOutcome {

        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** The row is not there (deleted meanwhile, or never was). */
    record NotFound(String message) implements WriteOutcome {
    }

    /** The row changed since it was read: its revision now. */
    record Conflict(String message, int currentRevision) implements WriteOutcome {
    }

    /** The database refused or could not be reached; nothing changed. */
    record Unavailable(String message) implements WriteOutcome {
    }

    /** The outcome of {@code write}, its {@link SettingsWriteException}s turned into the matching outcome. */
    static WriteOutcome of(Supplier<WriteResult> write) {
        try {
            return new Written(write.get());
        } catch (InvalidSettingsException e) {
            return new Invalid(e.errors());
        } catch (SettingsNotFoundException e) {
            return new NotFound(e.getMessage());
        } catch (SettingsConflictException e) {
            return new Conflict(e.getMessage(), e.currentRevision());
        } catch (SettingsWriteFailedException e) {
            return new Unavailable(e.getMessage());
        }
    }
}
