package dev.ferrymta.testing.smtp;

import java.util.Optional;

/** Reads the {@code <path>} out of a {@code MAIL FROM:} or {@code RCPT TO:} command line. */
final class EnvelopePath {

    private EnvelopePath() {}

    /** The path between the angle brackets after the colon; empty for {@code <>}. */
    static Optional<String> of(String commandLine) {
        int colon = commandLine.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        // Tolerate "MAIL FROM: <a@b>": the space is wrong but common, and not what the sink tests.
        int open = colon + 1;
        while (open < commandLine.length() && commandLine.charAt(open) == ' ') {
            open++;
        }
        if (open >= commandLine.length() || commandLine.charAt(open) != '<') {
            return Optional.empty();
        }
        int close = commandLine.indexOf('>', open);
        return close < 0 ? Optional.empty() : Optional.of(commandLine.substring(open + 1, close));
    }

    /** The ESMTP parameters after the path, such as {@code SIZE=1024 BODY=8BITMIME}. */
    static String parameters(String commandLine) {
        int close = commandLine.indexOf('>');
        return close < 0 ? "" : commandLine.substring(close + 1).strip();
    }
}
