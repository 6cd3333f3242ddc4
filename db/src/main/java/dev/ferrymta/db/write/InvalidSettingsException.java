package dev.ferrymta.db.write;

import java.util.List;
import java.util.stream.Collectors;

/** A settings input was refused; nothing was changed. Carries every problem found, field by field. */
public final class InvalidSettingsException extends SettingsWriteException {

    private final List<FieldError> errors;

    /** @param errors at least one problem */
    public InvalidSettingsException(List<FieldError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an InvalidSettingsException needs at least one field error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every problem, in the order of the input's fields. */
    public List<FieldError> errors() {
        return errors;
    }

    private static String describe(List<FieldError> errors) {
        return "invalid settings: " + errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }
}
