package dev.ferrymta.relay.config;

/**
 * A configuration problem that stops the start. Its message is one line that names the key, the
 * bad value, where it came from and what was expected.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** A value that does not parse: {@code rabbitmq-qos: 'many' (config line 4) is not valid: expected ...}. */
    static ConfigException badValue(ConfigValue value, String expected) {
        return new ConfigException(value.key(), "%s: '%s' (%s) is not valid: expected %s"
                .formatted(value.key(), printable(value.value()), value.origin(), expected));
    }

    /** A secret that does not parse: the message says where it is but does not repeat it. */
    static ConfigException badSecret(ConfigValue value, String expected) {
        return new ConfigException(value.key(), "%s: the value (%s) is not valid: expected %s"
                .formatted(value.key(), value.origin(), expected));
    }

    /** The key the problem is about, or an empty string for a problem with the file as a whole. */
    public String key() {
        return key;
    }

    /** Keeps control characters and very long values out of the one-line message. */
    static String printable(String value) {
        var shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        var out = new StringBuilder(shown.length());
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append("\\u%04x".formatted(c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
