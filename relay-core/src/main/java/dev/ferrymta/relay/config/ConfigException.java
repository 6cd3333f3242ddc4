package dev.ferrymta.relay.config;

import java.util.regex.Pattern;

/**
 * A configuration problem that stops the start. Its message is one line that names the key, the
 * bad value, where it came from and what was expected.
 */
public final class ConfigException extends RuntimeException {

    /** Where the next URI of a list starts: a comma, then its scheme. */
    private static final Pattern NEXT_URI = Pattern.compile(",\\s*[A-Za-z][A-Za-z0-9+.-]*://");

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /**
     * A value that does not parse: {@code rabbitmq-qos: 'many' (config line 4) is not valid: expected ...}.
     * The password of any URI in it is shown as {@code ****} ({@link #withoutPasswords}).
     */
    static ConfigException badValue(ConfigValue value, String expected) {
        return new ConfigException(value.key(), "%s: '%s' (%s) is not valid: expected %s"
                .formatted(value.key(), printable(withoutPasswords(value.value())), value.origin(), expected));
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

    /**
     * The text with the password of every URI in it replaced by {@code ****}:
     * {@code amqp://ferry:s3cret@mq1/, amqp://ferry:s3cret@mq2/} becomes
     * {@code amqp://ferry:****@mq1/, amqp://ferry:****@mq2/}. A URI's password runs from the first
     * ':' after its {@code ://} to the last '@' before the next URI of a list (a comma followed by a
     * scheme), so a password holding ':', '@', '/' or ',' is hidden whole, even in a URI that does
     * not parse; what is hidden may run further than the password, never shorter.
     */
    static String withoutPasswords(String text) {
        var shown = new StringBuilder(text.length());
        int done = 0;
        int scheme = text.indexOf("://");
        while (scheme >= 0) {
            int start = scheme + 3;
            var next = NEXT_URI.matcher(text);
            int end = next.find(start) ? next.start() : text.length();
            int at = text.lastIndexOf('@', end - 1);
            int colon = text.indexOf(':', start);
            if (at >= start && colon >= 0 && colon < at) {
                shown.append(text, done, colon + 1).append("****");
                done = at;
            }
            scheme = text.indexOf("://", end);
        }
        return shown.append(text, done, text.length()).toString();
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
