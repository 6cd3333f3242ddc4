package dev.ferrymta.relay.smtp;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The service extensions a server listed in its EHLO reply (RFC 5321 section 4.1.1.1): upper-case
 * keywords, and the message size limit of {@code SIZE} (RFC 1870) when it gives one.
 *
 * @param keywords     upper-case keywords such as {@code PIPELINING}, {@code 8BITMIME}
 * @param maxSizeBytes the declared maximum message size; empty when there is none or it is 0
 * @param authMechanisms the SASL mechanisms of {@code AUTH} (RFC 4954), upper case
 */
record EhloExtensions(Set<String> keywords, OptionalLong maxSizeBytes, Set<String> authMechanisms) {

    /** What a server that only answered HELO offers. */
    static final EhloExtensions NONE = new EhloExtensions(Set.of(), OptionalLong.empty(), Set.of());

    static final String PIPELINING = "PIPELINING";
    static final String SIZE = "SIZE";
    static final String EIGHT_BIT_MIME = "8BITMIME";
    static final String STARTTLS = "STARTTLS";
    static final String SMTPUTF8 = "SMTPUTF8";
    static final String DSN = "DSN";
    static final String AUTH = "AUTH";

    private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    EhloExtensions {
        keywords = Set.copyOf(keywords);
        authMechanisms = Set.copyOf(authMechanisms);
    }

    /** For a server's keywords and size limit, without AUTH. */
    EhloExtensions(Set<String> keywords, OptionalLong maxSizeBytes) {
        this(keywords, maxSizeBytes, Set.of());
    }

    /** Reads the lines after the first (which is the server's name and greeting). */
    static EhloExtensions of(SmtpReply ehlo) {
        var keywords = new LinkedHashSet<String>();
        var maxSize = OptionalLong.empty();
        var mechanisms = new LinkedHashSet<String>();
        var lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) {
            var words = WHITESPACE.split(lines.get(i).strip());
            if (!KEYWORD.matcher(words[0]).matches()) {
                continue;
            }
            var keyword = words[0].toUpperCase(Locale.ROOT);
            keywords.add(keyword);
            if (keyword.equals(SIZE) && words.length > 1) {
                maxSize = sizeLimit(words[1]);
            }
            if (keyword.equals(AUTH)) {
                for (int w = 1; w < words.length; w++) {
                    mechanisms.add(words[w].toUpperCase(Locale.ROOT));
                }
            }
        }
        return new EhloExtensions(keywords, maxSize, mechanisms);
    }

    /** Whether the server listed this (upper-case) keyword. */
    boolean offers(String keyword) {
        return keywords.contains(keyword);
    }

    private static OptionalLong sizeLimit(String parameter) {
        try {
            long limit = Long.parseLong(parameter);
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            // A limit we cannot read is no limit: the server still refuses what is too big.
            return OptionalLong.empty();
        }
    }
}
