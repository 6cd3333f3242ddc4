package dev.ferrymta.relay.mail;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A DNS domain name in its canonical form: lower case, ASCII (internationalised names in their
 * {@code xn--} form), no trailing dot. Comparing two {@code Domain}s compares names as DNS does.
 */
public record Domain(String name) implements Comparable<Domain> {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public Domain {
        if (!isValid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a domain name");
        }
    }

    /**
     * Parses a domain as a person or a message writes it: any case, an optional trailing dot,
     * Unicode allowed.
     *
     * @throws IllegalArgumentException when it is not a valid domain name
     */
    public static Domain parse(String text) {
        var trimmed = text.strip();
        if (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(trimmed, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a domain name");
        }
        return new Domain(ascii);
    }

    /** Whether a text is a canonical domain name: at least two labels, each valid, the last not all digits. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        var labels = name.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (var label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // An all-numeric last label would make 192.0.2.1 a "domain" (RFC 3696, section 2).
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    @Override
    public int compareTo(Domain other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
