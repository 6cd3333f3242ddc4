package dev.ferrymta.testing.smtp;

import java.nio.charset.StandardCharsets;

/** A reply code and its text; a text with {@code \n} in it becomes a multi-line reply. */
record SmtpReply(int code, String text) {

    SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code must be 200-599, was " + code);
        }
        if (text.contains("\r")) {
            throw new IllegalArgumentException("separate reply lines with \\n, not \\r: " + text);
        }
    }

    /** Whether the command succeeded, so its effect (new transaction, recipient, TLS) applies. */
    boolean positive() {
        return code < 400;
    }

    /** Whether the server announces it is closing the connection (RFC 5321 section 3.8). */
    boolean closesConnection() {
        return code == 421;
    }

    byte[] encode() {
        String[] lines = text.split("\n", -1);
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            wire.append(code).append(i == lines.length - 1 ? ' ' : '-').append(lines[i]).append("\r\n");
        }
        return wire.toString().getBytes(StandardCharsets.UTF_8);
    }
}
