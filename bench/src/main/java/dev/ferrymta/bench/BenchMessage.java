package dev.ferrymta.bench;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The benchmark's message: number {@code index} goes from {@value #SENDER} to
 * {@code user<index>@bench.test} and is an RFC 5322 message of exactly the size asked for, CRLF
 * line endings, 7-bit ASCII, no line starting with a dot. Every contender is handed the same
 * bytes: Ferry inside MailerQ JSON ({@link FillOutbox}), Postfix over SMTP ({@link InjectSmtp}).
 * It has no Return-Path header, which Postfix would drop (message_drop_headers).
 */
final class BenchMessage {

    static final String SENDER = "bench@sender.bench.test";
    static final String RECIPIENT_DOMAIN = "bench.test";
    static final int DEFAULT_BYTES = 2048;
    /** Room for the headers; a smaller message could not hold them. */
    static final int MIN_BYTES = 1024;
    static final int MAX_BYTES = 1024 * 1024;

    private static final String FILLER =
            "The quick brown fox jumps over the lazy dog while the ferry crosses the bay. ";
    private static final int LINE_CHARS = 76;

    private final int bytes;
    private final String runId;
    private final String date;

    /**
     * @param bytes the size of every message, CRLFs included
     * @param runId goes into each Message-ID, so two runs never share one
     */
    BenchMessage(int bytes, String runId) {
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("message size must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes");
        }
        this.bytes = bytes;
        this.runId = runId;
        this.date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    static String recipient(int index) {
        return "user" + index + "@" + RECIPIENT_DOMAIN;
    }

    /** The message text of number {@code index}. */
    String mime(int index) {
        var text = new StringBuilder(bytes);
        header(text, "From", "Ferry Bench <" + SENDER + ">");
        header(text, "To", "<" + recipient(index) + ">");
        header(text, "Subject", "Ferry delivery benchmark, message " + index);
        header(text, "Date", date);
        header(text, "Message-ID", "<" + runId + "." + index + "@sender.bench.test>");
        header(text, "MIME-Version", "1.0");
        header(text, "Content-Type", "text/plain; charset=us-ascii");
        header(text, "Content-Transfer-Encoding", "7bit");
        header(text, "X-Bench-Message", runId + " " + index);
        text.append("\r\n");
        // Body lines of LINE_CHARS characters; the last one is cut to land on the exact size.
        int position = index % FILLER.length();
        while (text.length() < bytes) {
            int room = bytes - text.length() - 2;
            int length = Math.max(0, Math.min(LINE_CHARS, room));
            if (room - length == 1) {
                // A line of one character cannot follow; shorten this one instead.
                length--;
            }
            for (int i = 0; i < length; i++) {
                text.append(FILLER.charAt(position));
                position = (position + 1) % FILLER.length();
            }
            text.append("\r\n");
        }
        return sanitized(text);
    }

    byte[] mimeBytes(int index) {
        return mime(index).getBytes(StandardCharsets.US_ASCII);
    }

    private static void header(StringBuilder text, String name, String value) {
        text.append(name).append(": ").append(value).append("\r\n");
    }

    /** Lines that start with a space or a dot would be folded headers or need stuffing: avoid both. */
    private String sanitized(StringBuilder text) {
        for (int i = 2; i < text.length(); i++) {
            if (text.charAt(i - 1) == '\n' && text.charAt(i - 2) == '\r'
                    && (text.charAt(i) == '.' || text.charAt(i) == ' ')) {
                text.setCharAt(i, 'x');
            }
        }
        if (text.length() != bytes) {
            throw new IllegalStateException("message is " + text.length() + " bytes, not " + bytes);
        }
        return text.toString();
    }
}
