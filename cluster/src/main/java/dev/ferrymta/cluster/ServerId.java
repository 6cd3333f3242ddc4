package dev.ferrymta.cluster;

import dev.ferrymta.relay.config.ValueType;
import java.util.Objects;

/**
 * The name of one instance in the cluster ({@code server-id}). It becomes part of queue names and
 * routing keys, so it is kept to the same safe alphabet as the config key: 1 to 63 letters, digits,
 * {@code .}, {@code _} or {@code -}, starting with a letter or digit.
 *
 * @param value the id as written in the config file
 */
public record ServerId(String value) implements Comparable<ServerId> {

    private static final ValueType<String> RULE = ValueType.serverId();

    /**
     * @throws IllegalArgumentException when {@code value} breaks the rule; the message quotes it
     */
    public ServerId {
        Objects.requireNonNull(value, "value");
        try {
            RULE.parse().apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a server id must be " + RULE.expected() + ", not '" + shorten(value) + "'");
        }
    }

    /** Whether {@code value} is a valid server id, for validating without an exception. */
    public static boolean isValid(String value) {
        if (value == null) {
            return false;
        }
        try {
            RULE.parse().apply(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public int compareTo(ServerId other) {
        return value.compareTo(other.value);
    }

    /** The bare id, so that log lines read {@code peer mail2 joined}. */
    @Override
    public String toString() {
        return value;
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
