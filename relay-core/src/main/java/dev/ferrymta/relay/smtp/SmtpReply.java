package dev.ferrymta.relay.smtp;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A reply from an SMTP server: the three-digit code, the enhanced status code when the server
 * gives one (RFC 3463, {@code 5.1.1}), and the text lines.
 */
public record SmtpReply(int code, Optional<String> enhancedStatus, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code " + code + " is outside 200-599");
        }
        lines = List.copyOf(lines);
    }

    /**
     * Builds a reply from its lines as received, without the code prefix: {@code of(250, "2.1.0 Ok")}.
     * The enhanced status is taken from the first line when its class matches the code's.
     */
    public static SmtpReply of(int code, List<String> texts) {
        Optional<String> status = Optional.empty();
        if (!texts.isEmpty()) {
            var first = texts.getFirst();
            int space = first.indexOf(' ');
            var candidate = space < 0 ? first : first.substring(0, space);
            var matcher = ENHANCED.matcher(candidate);
            if (matcher.matches() && matcher.group(1).charAt(0) - '0' == code / 100) {
                status = Optional.of(candidate);
            }
        }
        return new SmtpReply(code, status, texts);
    }

    /** {@code of(code, List.of(text))}. */
    public static SmtpReply of(int code, String text) {
        return of(code, List.of(text));
    }

    /** 2xx. */
    public boolean isPositive() {
        return code < 300;
    }

    /** 3xx: go on (354 after DATA). */
    public boolean isIntermediate() {
        return code >= 300 && code < 400;
    }

    /** 4xx. */
    public boolean isTransientFailure() {
        return code >= 400 && code < 500;
    }

    /** 5xx. */
    public boolean isPermanentFailure() {
        return code >= 500;
    }

    /** The text without the enhanced status, lines joined by spaces, bounded for results and logs. */
    public String text() {
        var joined = String.join(" ", lines);
        if (enhancedStatus.isPresent() && joined.startsWith(enhancedStatus.get())) {
            joined = joined.substring(enhancedStatus.get().length()).strip();
        }
        return joined.length() > 500 ? joined.substring(0, 500) + "..." : joined;
    }

    @Override
    public String toString() {
        return code + enhancedStatus.map(s -> " " + s).orElse("") + " " + text();
    }
}
