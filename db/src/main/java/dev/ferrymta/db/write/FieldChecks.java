package dev.ferrymta.db.write;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.IpLiteral;
import dev.ferrymta.relay.settings.IpRange;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the fields of one input and collects every problem, so the console can mark all bad
 * fields at once rather than one per round trip. Each check returns the canonical value, or null
 * when the field is empty or bad.
 */
final class FieldChecks {

    /** Longest piece of a bad value repeated in a message: input may be hostile or pasted by mistake. */
    private static final int QUOTE_LIMIT = 64;

    /** Domain accepts 192.0.2.1 (four valid labels), but no real name ends in a numeric label. */
    static final Pattern NUMERIC_TOP_LABEL = Pattern.compile("(.*\\.)?[0-9]+");

    private final List<FieldError> errors = new ArrayList<>();

    void add(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** Throws when any check failed. */
    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new InvalidSettingsException(errors);
        }
    }

    /** The stripped text; an error when it is null or blank. */
    String required(String field, String value) {
        var text = blankToNull(value);
        if (text == null) {
            add(field, "is required");
        }
        return text;
    }

    /** One IP address, required; host names and networks are refused. */
    String singleIp(String field, String value) {
        var text = required(field, value);
        if (text == null) {
            return null;
        }
        if (text.contains("/")) {
            add(field, quote(text) + " is a network; give one address, such as 192.0.2.10");
            return null;
        }
        try {
            return IpLiteral.parse(text).getHostAddress();
        } catch (IllegalArgumentException e) {
            add(field, quote(text) + " is not an IP address such as 192.0.2.10 or 2001:db8::10");
            return null;
        }
    }

    /** One address or a CIDR network, in CIDR notation; null for "any". */
    String ipOrNetwork(String field, String value) {
        var text = blankToNull(value);
        if (text == null) {
            return null;
        }
        try {
            return IpRange.parse(text).toString();
        } catch (IllegalArgumentException e) {
            // IpRange explains a network with host bits set; its message repeats the input, so only short ones.
            var detail = text.length() <= QUOTE_LIMIT && text.contains("/") ? ": " + e.getMessage() : "";
            add(field, quote(text) + " is not an IP address or network such as 192.0.2.10 or 192.0.2.0/24" + detail);
            return null;
        }
    }

    /** A domain, required, in its canonical lower-case form. */
    String domain(String field, String value) {
        var text = required(field, value);
        return text == null ? null : parseDomain(field, text, "a domain name such as example.com");
    }

    /** A domain in its canonical form; null for "any". */
    String optionalDomain(String field, String value) {
        var text = blankToNull(value);
        return text == null ? null : parseDomain(field, text, "a domain name such as example.com");
    }

    /** A host name of two labels or more, in its canonical lower-case form. */
    String hostName(String field, String value) {
        var text = required(field, value);
        return text == null ? null : parseDomain(field, text, "a host name such as mail.example.com");
    }

    /** A whole number from 1 to {@code max}; null for "not set". */
    Integer limit(String field, Integer value, int max) {
        return value == null ? null : between(field, value, 1, max);
    }

    /** A whole number from {@code min} to {@code max}. */
    Integer between(String field, int value, int min, int max) {
        if (value < min) {
            add(field, "must be at least " + min);
            return null;
        }
        if (value > max) {
            add(field, "must be at most " + max);
            return null;
        }
        return value;
    }

    /** Null for null or blank, else the text without surrounding white space. */
    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The value in quotes for a message, cut short when long. */
    static String quote(String value) {
        var shown = value.length() <= QUOTE_LIMIT ? value : value.substring(0, QUOTE_LIMIT) + "...";
        return "'" + shown + "'";
    }

    private String parseDomain(String field, String text, String expected) {
        String name;
        try {
            name = Domain.parse(text).name();
        } catch (IllegalArgumentException e) {
            add(field, quote(text) + " is not " + expected);
            return null;
        }
        if (NUMERIC_TOP_LABEL.matcher(name).matches()) {
            add(field, quote(text) + " is not " + expected + " (no top-level domain is a number)");
            return null;
        }
        return name;
    }
}
