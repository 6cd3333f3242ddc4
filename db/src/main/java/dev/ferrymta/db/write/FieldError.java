package dev.ferrymta.db.write;

import java.util.Objects;

/**
 * One problem with one field of a settings input.
 *
 * @param field   the field as the JSON API names it: {@code localIp}, {@code maxConnections},
 *                {@code ips[2]}
 * @param message what is wrong, for the person who filled in the form
 */
public record FieldError(String field, String message) {

    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
