package dev.ferrymta.db.write;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a constraint violation PostgreSQL reports into field errors. Validation catches what one
 * input can show on its own; only the database knows about the other rows (a second pool of the
 * same name) and about writers racing each other, so those refusals arrive here, named by
 * constraint.
 */
final class ConstraintErrors {

    /** SQLState class 23: integrity constraint violation (unique 23505, foreign key 23503, check 23514, ...). */
    private static final String INTEGRITY_CONSTRAINT_VIOLATION = "23";

    /** PostgreSQL's name for an unnamed one-column constraint: table and column, then the kind. */
    private static final Pattern GENERATED_NAME = Pattern.compile("(.+)_(check|key|fkey)");

    private final Map<String, List<FieldError>> byConstraint = new HashMap<>();

    /** No constraint this write expects to hit. */
    static ConstraintErrors none() {
        return new ConstraintErrors();
    }

    /** When {@code constraint} is violated, the input has these errors. */
    ConstraintErrors on(String constraint, FieldError... errors) {
        byConstraint.put(constraint, List.of(errors));
        return this;
    }

    /** The field errors for {@code e}, or empty when it is no constraint violation. */
    Optional<InvalidSettingsException> translate(SQLException e) {
        var state = e.getSQLState();
        if (state == null || !state.startsWith(INTEGRITY_CONSTRAINT_VIOLATION)) {
            return Optional.empty();
        }
        var server = serverError(e);
        var constraint = server == null ? null : server.getConstraint();
        var known = constraint == null ? null : byConstraint.get(constraint);
        if (known != null) {
            return Optional.of(new InvalidSettingsException(known));
        }
        // A rule validation should have caught: still the input's fault, so report it on the best
        // field the server names rather than as a database failure.
        return Optional.of(new InvalidSettingsException(List.of(new FieldError(field(server),
                "is refused by the database rule " + (constraint != null ? constraint : "(unnamed)") + " (SQLState " + state + ")"))));
    }

    /**
     * The column the server names, else the column in a constraint name PostgreSQL made up
     * ({@code throttles_max_connections_check}), else the constraint's name.
     */
    private static String field(ServerErrorMessage server) {
        if (server == null) {
            return "";
        }
        if (server.getColumn() != null) {
            return camelCase(server.getColumn());
        }
        var constraint = server.getConstraint();
        if (constraint == null) {
            return "";
        }
        var table = server.getTable();
        var generated = GENERATED_NAME.matcher(constraint);
        if (table != null && constraint.startsWith(table + "_") && generated.matches() && generated.group(1).length() > table.length() + 1) {
            return camelCase(generated.group(1).substring(table.length() + 1));
        }
        return constraint;
    }

    private static ServerErrorMessage serverError(SQLException e) {
        // A batch reports the statement's own error as the next exception.
        for (var current = e; current != null; current = current.getNextException()) {
            if (current instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
                return psql.getServerErrorMessage();
            }
        }
        return null;
    }

    static String camelCase(String column) {
        var parts = column.toLowerCase(Locale.ROOT).split("_");
        var name = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                name.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
            }
        }
        return name.toString();
    }
}
