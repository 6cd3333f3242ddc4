package dev.ferrymta.relay.mail;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * An envelope address, {@code local@domain}, as it goes into {@code MAIL FROM} and
 * {@code RCPT TO}. The local part is kept as written (it may be case-sensitive) and without
 * quotes; the domain is canonical. {@link #toString()} gives the form RFC 5321 section 4.1.2 sends:
 * a dot-atom as it is, anything else quoted.
 *
 * <p>Accepted local parts: a dot-atom of ASCII {@code atext} and, as RFC 6531 allows, UTF-8
 * letters, marks and numbers (so scripts with combining marks, such as Devanagari, work); a local
 * part with dots in the wrong places ({@code taro..yamada}, {@code taro.}), as some mobile
 * carriers hand out, which is sent quoted as Postfix does; and a quoted local part
 * ({@code "john smith"}). At most 64 octets (RFC 5321 section 4.5.3.1.1). Address literals
 * ({@code user@[192.0.2.1]}) are refused: bulk senders do not need them.
 */
public record MailAddress(String localPart, Domain domain) {

    private static final String ATEXT = "\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~\\-";

    /** RFC 5321 dot-atom, with UTF-8 letters, marks and numbers allowed (RFC 6531). */
    private static final Pattern DOT_ATOM = Pattern.compile("[" + ATEXT + "]+(\\.[" + ATEXT + "]+)*");

    /** atext and dots in any order: sent quoted when not a dot-atom. */
    private static final Pattern DOTTED = Pattern.compile("[" + ATEXT + ".]+");

    /** What a quoted local part may hold: printable ASCII, space, and UTF-8 beyond ASCII; no control characters. */
    private static final Pattern QUOTABLE = Pattern.compile("[\\x20-\\x7e\\x{80}-\\x{10FFFF}&&[^\\p{Cc}]]+");

    /** Longest local part, in octets. */
    static final int MAX_LOCAL_OCTETS = 64;

    public MailAddress {
        if (localPart.isEmpty() || localPart.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_OCTETS
                || !QUOTABLE.matcher(localPart).matches()) {
            throw new IllegalArgumentException("'" + localPart + "' is not a valid local part");
        }
    }

    /**
     * Parses {@code local@domain}, with or without angle brackets; the local part may be quoted
     * ({@code "john smith"@example.com}, with {@code \"} and {@code \\} inside).
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
        var local = trimmed.substring(0, at);
        var domainText = trimmed.substring(at + 1);
        if (domainText.startsWith("[")) {
            throw new IllegalArgumentException("'" + text + "' names an address literal; only domain names are accepted");
        }
        String content;
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            content = unquote(local, text);
        } else if (DOTTED.matcher(local).matches()) {
            content = local;
        } else {
            throw new IllegalArgumentException("'" + local + "' is not a valid local part (quote it to send it as it is)");
        }
        return new MailAddress(content, Domain.parse(domainText));
    }

    /** Whether the local part holds characters beyond ASCII, so the server must offer SMTPUTF8 (RFC 6531). */
    public boolean needsSmtpUtf8() {
        return !localPart.chars().allMatch(c -> c < 0x80);
    }

    /** The local part as RFC 5321 sends it: a dot-atom as it is, anything else in quotes. */
    public String smtpLocalPart() {
        if (isAsciiDotAtom(localPart) || DOT_ATOM.matcher(localPart).matches()) {
            return localPart;
        }
        return "\"" + localPart.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * {@link #DOT_ATOM} for the usual all-ASCII local part, without a regular expression: the
     * address is written several times per message (envelope, log line, result). False for
     * anything else, which the expression then decides.
     */
    static boolean isAsciiDotAtom(String text) {
        boolean atomStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (atomStart) {
                    return false;
                }
                atomStart = true;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 0x80 && "!#$%&'*+/=?^_`{|}~-".indexOf(c) >= 0)) {
                atomStart = false;
            } else {
                return false;
            }
        }
        return !atomStart;
    }

    private static String unquote(String quoted, String text) {
        var out = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                if (i + 1 >= quoted.length() - 1) {
                    throw new IllegalArgumentException("'" + text + "' ends its quoted local part with a lone backslash");
                }
                out.append(quoted.charAt(++i));
            } else if (c == '"') {
                throw new IllegalArgumentException("'" + text + "' has an unescaped quote inside its quoted local part");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code local@domain} as it goes into {@code MAIL FROM} and {@code RCPT TO}, the local part quoted when it must be. */
    @Override
    public String toString() {
        return smtpLocalPart() + "@" + domain;
    }
}
