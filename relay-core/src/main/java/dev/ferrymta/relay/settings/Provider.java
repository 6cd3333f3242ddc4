package dev.ferrymta.relay.settings;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A provider group (MX rollup): a name and the MX host patterns of the mailbox provider, so that
 * "20 connections from each IP to Google" holds across every domain Google hosts. A domain belongs
 * to the provider whose pattern its most preferred MX host matches ({@link Providers}).
 *
 * @param id         database id; 0 for a provider Ferry ships
 * @param revision   bumped by every change; 0 for a shipped one
 * @param name       1 to 63 lower-case letters, digits and '-', starting with a letter or digit
 * @param mxPatterns {@code *.example.net} (any host under example.net) or one host name; lower case
 */
public record Provider(long id, int revision, String name, List<String> mxPatterns) {

    /** As the schema's check on {@code providers.name}. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{1,63}");

    /** @throws IllegalArgumentException naming the field: a bad name, no pattern, a pattern that is no host or {@code *.} host */
    public Provider {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' is not a provider name: 1 to 63 lower-case letters, digits or '-'");
        }
        mxPatterns = mxPatterns.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty()).toList();
        if (mxPatterns.isEmpty()) {
            throw new IllegalArgumentException("mxPatterns: a provider needs at least one MX host pattern, such as *.google.com");
        }
        for (var pattern : mxPatterns) {
            if (!isPattern(pattern)) {
                throw new IllegalArgumentException("mxPatterns: '" + pattern + "' is neither a host name nor *. and a domain");
            }
        }
    }

    /** Whether {@code text} is a host name or {@code *.} and a domain of two labels at least. */
    public static boolean isPattern(String text) {
        return text.length() <= 255 && HOST_PATTERN.matcher(text).matches() && (!text.startsWith("*.") || text.indexOf('.', 2) > 0);
    }

    /** Whether an MX host name (any case, a trailing dot allowed) matches one of the patterns. */
    public boolean matches(String mxHost) {
        var host = mxHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        for (var pattern : mxPatterns) {
            if (pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern)) {
                return true;
            }
        }
        return false;
    }
}
