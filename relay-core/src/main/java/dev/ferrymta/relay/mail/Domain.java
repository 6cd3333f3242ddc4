package dev.ferrymta.relay.mail;

import com.ibm.icu.text.IDNA;
import java.util.Locale;

/**
 * A DNS domain name in its canonical form: lower case, ASCII (internationalised names in their
 * {@code xn--} A-label form), no trailing dot. Comparing two {@code Domain}s compares names as DNS
 * does.
 *
 * <p>Internationalised names are converted with UTS #46 in its non-transitional form, which is
 * IDNA2008 (RFC 5891) as browsers and mail systems apply it: {@code ß}, final sigma {@code ς}, and
 * the joiners ZWJ and ZWNJ in the contexts RFC 5892 allows are kept, not mapped away as IDNA2003
 * ({@code java.net.IDN}) does, which would send {@code straße.example} to {@code strasse.example},
 * another domain. ICU4J does the conversion: it tracks the Unicode tables, which we would not.
 */
public record Domain(String name) implements Comparable<Domain> {


    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO);

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
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a domain name");
        }
        var ascii = new StringBuilder(trimmed.length() + 16);
        var info = new IDNA.Info();
        UTS46.nameToASCII(trimmed, ascii, info);
        if (info.hasErrors()) {
            throw new IllegalArgumentException("'" + text + "' is not a domain name (IDNA: " + info.getErrors() + ")");
        }
        return new Domain(ascii.toString().toLowerCase(Locale.ROOT));
    }

    /**
     * The name for people: A-labels shown as Unicode ({@code xn--strae-oqa.example} as
     * {@code straße.example}); the name itself when it has none or they do not convert.
     */
    public String unicode() {
        if (!name.contains("xn--")) {
            return name;
        }
        var unicode = new StringBuilder(name.length());
        var info = new IDNA.Info();
        UTS46.nameToUnicode(name, unicode, info);
        return info.hasErrors() ? name : unicode.toString();
    }

    /** Whether a text is a canonical domain name: at least two labels, each valid, the last not all digits. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        // One pass over the name (it runs for every address of every message): labels of 1 to 63
        // letters, digits and inner hyphens, lower case (the LDH rule, RFC 5890 section 2.3.1).
        int labels = 0;
        int start = 0;
        boolean lastAllDigits = true;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int length = i - start;
                if (length < 1 || length > 63 || name.charAt(start) == '-' || name.charAt(i - 1) == '-') {
                    return false;
                }
                labels++;
                start = i + 1;
                continue;
            }
            char c = name.charAt(i);
            if (i == start) {
                lastAllDigits = true;
            }
            boolean digit = c >= '0' && c <= '9';
            if (!(digit || (c >= 'a' && c <= 'z') || c == '-')) {
                return false;
            }
            lastAllDigits &= digit;
        }
        // An all-numeric last label would make 192.0.2.1 a "domain" (RFC 3696, section 2).
        return labels >= 2 && !lastAllDigits;
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
