package dev.ferrymta.relay.mail;

import java.util.regex.Pattern;

/**
 * An envelope address, {@code local@domain}, as it goes into {@code MAIL FROM} and
 * {@code RCPT TO}. The local part is kept as written (it may be case-sensitive); the domain is
 * canonical. Quoted local parts and address literals are refused: bulk senders do not need them
 * and they are where parsers disagree.
 */
public record MailAddress(String localPart, Domain domain) {

    /** RFC 5321 dot-atom local part, with UTF-8 allowed (RFC 6531). */
    private static final Pattern LOCAL_PART =
            Pattern.compile("[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*");

    public MailAddress {
        if (localPart.isEmpty() || localPart.length() > 64 || !LOCAL_PART.matcher(localPart).matches()) {
            throw new IllegalArgumentException("'" + localPart + "' is not a valid local part");
        }
    }

    /**
     * Parses {@code local@domain}, with or without angle brackets.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static MailAddress parse(String text) {
        var trimmed = text.strip();
        if (trimmed.startsWith("<") && trimmed.endsWith(">")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        int at = trimmed.lastIndexOf('@');
        if (at <= 0 || at == trimmed.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not an address of the form local@domain");
        }
        return new MailAddress(trimmed.substring(0, at), Domain.parse(trimmed.substring(at + 1)));
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
