package dev.ferrymta.relay.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The two DKIM canonicalization algorithms (RFC 6376 section 3.4), for a header field and for the
 * body. Pure functions over bytes; the message is CRLF-terminated.
 */
public enum Canonicalization {

    /** Nothing changes but trailing empty lines of the body (section 3.4.1 and 3.4.3). */
    SIMPLE("simple"),
    /** Whitespace folded, header names lower-cased, trailing whitespace gone (section 3.4.2 and 3.4.4). */
    RELAXED("relaxed");

    private final String tag;

    Canonicalization(String tag) {
        this.tag = tag;
    }

    /** The name in {@code c=}. */
    public String tag() {
        return tag;
    }

    /** Parses {@code simple} or {@code relaxed}, any case. */
    public static Canonicalization parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new IllegalArgumentException("'" + text + "' is not a DKIM canonicalization (simple or relaxed)");
        };
    }

    /**
     * A header field as it is signed.
     *
     * @param field the whole field as it stands in the message, folding included, with its final CRLF
     */
    public byte[] header(byte[] field) {
        if (this == SIMPLE) {
            return field;
        }
        var text = new String(field, StandardCharsets.ISO_8859_1);
        int colon = text.indexOf(':');
        var name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        var value = text.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
        return (name + ":" + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The body as it is hashed.
     *
     * @param body the bytes after the empty line that ends the header, CRLF line ends
     */
    public byte[] body(byte[] body) {
        var out = new ByteArrayOutputStream(body.length + 2);
        int start = 0;
        int pendingEmpty = 0;
        boolean any = false;
        while (start < body.length) {
            int end = indexOfCrlf(body, start);
            int lineEnd = end < 0 ? body.length : end;
            var line = canonicalLine(body, start, lineEnd);
            if (line.length == 0) {
                pendingEmpty++;
            } else {
                for (; pendingEmpty > 0; pendingEmpty--) {
                    out.writeBytes(CRLF);
                }
                out.writeBytes(line);
                out.writeBytes(CRLF);
                any = true;
            }
            start = end < 0 ? body.length : end + 2;
        }
        if (!any && this == SIMPLE) {
            // An empty body is one CRLF in simple, nothing in relaxed.
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] canonicalLine(byte[] body, int from, int to) {
        if (this == SIMPLE) {
            var line = new byte[to - from];
            System.arraycopy(body, from, line, 0, line.length);
            return line;
        }
        var out = new ByteArrayOutputStream(to - from);
        boolean space = false;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == ' ' || b == '\t') {
                space = true;
            } else {
                if (space) {
                    out.write(' ');
                    space = false;
                }
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
