package dev.ferrymta.relay.smtp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

/**
 * Fits a message to what the receiving server takes, before it is sent: no line longer than 998
 * octets leaves Ferry (RFC 5321 section 4.5.3.1.6), and no 8-bit byte goes to a server that does
 * not offer 8BITMIME (RFC 6152). A part whose body breaks either rule and is sent as it is
 * ({@code 7bit}, {@code 8bit}, {@code binary} or no transfer encoding) is re-encoded as
 * quoted-printable, as Postfix does; a header line that is too long is folded at its last space
 * before the limit. A message that needs neither is returned as it was, byte for byte, without
 * being parsed. What cannot be fitted (a base64 part holding 8-bit bytes, a long header line with
 * no space to fold at, a message that is not MIME) is refused with the reason. A pure function.
 */
public final class MessageFitting {

    /** The longest line SMTP carries, without its CRLF. */
    public static final int MAX_LINE_OCTETS = 998;

    private static final byte[] CRLF = {'\r', '\n'};

    private MessageFitting() {
    }

    /** What came of fitting a message. */
    public sealed interface Result {
    }

    /**
     * The message to send: the input itself when it needed nothing.
     *
     * @param converted whether any part was re-encoded or any header folded
     */
    public record Fitted(byte[] message, boolean converted) implements Result {
    }

    /** The message cannot be fitted to this server; {@code reason} says why. */
    public record Refused(String reason) implements Result {
    }

    /**
     * Fits {@code message} for a server.
     *
     * @param eightBitMime whether the server offers 8BITMIME
     */
    public static Result fit(byte[] message, boolean eightBitMime) {
        if (fitsAsItIs(message, eightBitMime)) {
            return new Fitted(message, false);
        }
        try {
            var rewriter = new Rewriter(!eightBitMime);
            var out = rewriter.rewrite(message);
            if (rewriter.refusal != null) {
                return new Refused(rewriter.refusal);
            }
            if (!eightBitMime && DataWriter.hasEightBitBytes(out)) {
                return new Refused("8-bit bytes outside any part that could be re-encoded, and the server offers no 8BITMIME");
            }
            if (hasNul(out)) {
                return new Refused("a NUL byte outside any part that could be re-encoded (RFC 2045, section 2.7)");
            }
            if (hasLongLine(out)) {
                return new Refused("a line longer than " + MAX_LINE_OCTETS + " octets outside any part that could be re-encoded");
            }
            return new Fitted(out, true);
        } catch (IOException | MimeException | RuntimeException e) {
            return new Refused("the message could not be parsed as MIME to re-encode it: " + e.getMessage());
        }
    }

    /**
     * The message with every line ending as CRLF and a final CRLF, as {@code DATA} sends it: a bare
     * LF or CR becomes CRLF. What is signed must be what goes on the wire. The input itself when it
     * needs no change.
     */
    public static byte[] crlf(byte[] message) {
        boolean clean = message.length == 0 || message[message.length - 1] == '\n';
        for (int i = 0; clean && i < message.length; i++) {
            if (message[i] == '\r') {
                clean = i + 1 < message.length && message[i + 1] == '\n';
                i++;
            } else if (message[i] == '\n') {
                clean = false;
            }
        }
        if (clean) {
            return message;
        }
        var out = new ByteArrayOutputStream(message.length + message.length / 16 + 2);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') {
                out.write(CRLF, 0, 2);
                i++;
                lineStart = true;
            } else if (b == '\r' || b == '\n') {
                out.write(CRLF, 0, 2);
                lineStart = true;
            } else {
                out.write(b);
                lineStart = false;
            }
        }
        if (!lineStart) {
            out.write(CRLF, 0, 2);
        }
        return out.toByteArray();
    }

    /**
     * Whether {@code message} can go as it is, in one pass (every message sent is checked): no line
     * over {@link #MAX_LINE_OCTETS} octets, no NUL, and no 8-bit byte unless the server offers 8BITMIME.
     */
    static boolean fitsAsItIs(byte[] message, boolean eightBitMime) {
        int length = 0;
        for (byte b : message) {
            if (b == '\n') {
                length = 0;
            } else if (b == 0 || (b < 0 && !eightBitMime)) {
                return false;
            } else if (b != '\r' && ++length > MAX_LINE_OCTETS) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code message} holds a NUL byte, which no SMTP transfer encoding but binary allows. */
    static boolean hasNul(byte[] message) {
        for (byte b : message) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether any line, CR LF or bare LF ended, is longer than {@link #MAX_LINE_OCTETS} octets. */
    static boolean hasLongLine(byte[] message) {
        int length = 0;
        for (byte b : message) {
            if (b == '\n') {
                length = 0;
            } else if (b != '\r' && ++length > MAX_LINE_OCTETS) {
                return true;
            }
        }
        return false;
    }

    /** Walks the MIME structure and writes it again, re-encoding the leaf bodies that need it. */
    private static final class Rewriter {

        private final boolean sevenBit;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<byte[]> fields = new ArrayList<>();
        private final Deque<String> boundaries = new ArrayDeque<>();
        private final Deque<Boolean> firstPart = new ArrayDeque<>();
        /** Per open multipart: whether its close delimiter was written (with its epilogue). */
        private final Deque<Boolean> closed = new ArrayDeque<>();
        /** Whether the entity being read heads a message (the top level or a message/rfc822 part). */
        private boolean messageTop = true;
        private boolean hasMimeVersion;
        private boolean hasContentType;
        private String transferEncoding;
        private String refusal;

        Rewriter(boolean sevenBit) {
            this.sevenBit = sevenBit;
        }

        byte[] rewrite(byte[] message) throws IOException, MimeException {
            var config = new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
                    .setMaxContentLen(-1).build();
            var stream = new MimeTokenStream(config);
            stream.parse(new ByteArrayInputStream(message));
            for (var state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_HEADER -> {
                        fields.clear();
                        transferEncoding = null;
                        hasMimeVersion = false;
                        hasContentType = false;
                    }
                    case T_FIELD -> {
                        var field = stream.getField();
                        switch (field.getNameLowerCase()) {
                            case "content-transfer-encoding" -> transferEncoding = field.getBody().strip().toLowerCase(Locale.ROOT);
                            case "mime-version" -> hasMimeVersion = true;
                            case "content-type" -> hasContentType = true;
                            default -> {
                                // kept as it is
                            }
                        }
                        var raw = field.getRaw();
                        fields.add(raw.toByteArray());
                    }
                    case T_START_MULTIPART -> {
                        // The multipart's own header: its children are made 7-bit, so an 8bit label becomes 7bit.
                        writeHeader(containerEncoding());
                        boundaries.push(stream.getBodyDescriptor().getBoundary());
                        firstPart.push(true);
                        closed.push(false);
                    }
                    case T_PREAMBLE -> {
                        var preamble = read(stream.getInputStream());
                        out.write(preamble);
                        if (preamble.length > 0) {
                            out.write(CRLF);
                        }
                    }
                    case T_START_BODYPART -> {
                        if (!firstPart.pop()) {
                            out.write(CRLF);
                        }
                        firstPart.push(false);
                        out.write(("--" + boundaries.peek()).getBytes(StandardCharsets.US_ASCII));
                        out.write(CRLF);
                        messageTop = false;
                    }
                    case T_EPILOGUE -> {
                        out.write(CRLF);
                        out.write(("--" + boundaries.peek() + "--").getBytes(StandardCharsets.US_ASCII));
                        out.write(CRLF);
                        out.write(read(stream.getInputStream()));
                        closed.pop();
                        closed.push(true);
                    }
                    case T_END_MULTIPART -> {
                        // mime4j reports no epilogue when nothing follows the close delimiter, the usual
                        // case; the delimiter is required all the same (RFC 2046, section 5.1.1).
                        if (!closed.pop()) {
                            out.write(CRLF);
                            out.write(("--" + boundaries.peek() + "--").getBytes(StandardCharsets.US_ASCII));
                        }
                        boundaries.pop();
                        firstPart.pop();
                    }
                    case T_START_MESSAGE -> {
                        if (!fields.isEmpty() || transferEncoding != null) {
                            // A message/rfc822 part: its own header is written before the nested message.
                            writeHeader(containerEncoding());
                        }
                        messageTop = true;
                    }
                    case T_BODY -> body(read(stream.getInputStream()), stream.getBodyDescriptor().getMimeType());
                    default -> {
                        // T_END_HEADER, T_END_BODYPART, T_END_MESSAGE, T_RAW_ENTITY: nothing to write.
                    }
                }
            }
            // A close delimiter written above ends without its line break: the message ends with one.
            var bytes = out.toByteArray();
            if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
                out.write(CRLF);
                bytes = out.toByteArray();
            }
            return bytes;
        }

        /** For a multipart or message/rfc822 entity labelled 8bit or binary: 7bit once its content is. */
        private String containerEncoding() {
            return sevenBit && ("8bit".equals(transferEncoding) || "binary".equals(transferEncoding)) ? "7bit" : null;
        }

        private void body(byte[] body, String mimeType) throws IOException {
            boolean eightBit = sevenBit && DataWriter.hasEightBitBytes(body);
            boolean longLine = hasLongLine(body);
            // NUL is neither 7bit nor 8bit data (RFC 2045, section 2.7 and 2.8); quoted-printable writes it =00.
            boolean nul = hasNul(body);
            if (!eightBit && !longLine && !nul) {
                writeHeader(null);
                out.write(body);
                return;
            }
            if (!isIdentity(transferEncoding)) {
                // base64 or quoted-printable that breaks the rules itself: re-encoding would change its meaning.
                refusal = "a part encoded as " + transferEncoding + " holds " + (eightBit ? "8-bit bytes" : nul ? "NUL bytes"
                        : "lines longer than " + MAX_LINE_OCTETS + " octets") + "; it cannot be re-encoded";
                writeHeader(null);
                out.write(body);
                return;
            }
            // The new encoding counts only under MIME-Version (RFC 2045, section 4), and 8-bit text
            // without a Content-Type would read as US-ASCII once decoded (section 5.2).
            var added = new ArrayList<String>();
            if (messageTop && !hasMimeVersion) {
                added.add("MIME-Version: 1.0");
            }
            if (!hasContentType && eightBit && "text/plain".equals(mimeType)) {
                added.add("Content-Type: text/plain; charset=" + (isUtf8(body) ? "utf-8" : "unknown-8bit"));
            }
            writeHeader("quoted-printable", added);
            var encoded = new ByteArrayOutputStream(body.length + body.length / 8);
            // Text mode: line breaks stay line breaks, and every line is at most 76 characters.
            try (var qp = new QuotedPrintableOutputStream(encoded, false)) {
                qp.write(body);
            }
            out.write(encoded.toByteArray());
        }

        /**
         * Writes the buffered header fields and the empty line after them; with
         * {@code newEncoding}, the Content-Transfer-Encoding says that (added when missing).
         */
        private void writeHeader(String newEncoding) throws IOException {
            writeHeader(newEncoding, List.of());
        }

        /** The same, with {@code added} fields (whole lines without CRLF) after the entity's own. */
        private void writeHeader(String newEncoding, List<String> added) throws IOException {
            boolean written = false;
            for (var field : fields) {
                if (newEncoding != null && isTransferEncodingField(field)) {
                    if (!written) {
                        out.write(("Content-Transfer-Encoding: " + newEncoding).getBytes(StandardCharsets.US_ASCII));
                        out.write(CRLF);
                        written = true;
                    }
                    continue;
                }
                writeFolded(field);
            }
            for (var field : added) {
                out.write(field.getBytes(StandardCharsets.US_ASCII));
                out.write(CRLF);
            }
            if (newEncoding != null && !written) {
                out.write(("Content-Transfer-Encoding: " + newEncoding).getBytes(StandardCharsets.US_ASCII));
                out.write(CRLF);
            }
            out.write(CRLF);
            fields.clear();
            transferEncoding = null;
        }

        /** A header field, each of its physical lines folded at its last space or tab before the limit. */
        private void writeFolded(byte[] field) throws IOException {
            int lineStart = 0;
            for (int i = 0; i <= field.length; i++) {
                if (i == field.length || field[i] == '\n') {
                    int end = i > lineStart && field[i - 1] == '\r' ? i - 1 : i;
                    writeFoldedLine(field, lineStart, end);
                    lineStart = i + 1;
                }
            }
        }

        private void writeFoldedLine(byte[] field, int start, int end) throws IOException {
            while (end - start > MAX_LINE_OCTETS) {
                int fold = -1;
                for (int i = start + MAX_LINE_OCTETS; i > start; i--) {
                    if (field[i] == ' ' || field[i] == '\t') {
                        fold = i;
                        break;
                    }
                }
                if (fold < 0) {
                    refusal = "a header line longer than " + MAX_LINE_OCTETS + " octets has no space to fold it at";
                    break;
                }
                out.write(field, start, fold - start);
                out.write(CRLF);
                start = fold; // the whitespace begins the continuation line
            }
            out.write(field, start, end - start);
            out.write(CRLF);
        }

        private static boolean isTransferEncodingField(byte[] field) {
            var name = "content-transfer-encoding:";
            if (field.length < name.length()) {
                return false;
            }
            return new String(field, 0, name.length(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT).equals(name);
        }

        /** Whether {@code bytes} are well-formed UTF-8 (RFC 3629). */
        private static boolean isUtf8(byte[] bytes) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes));
                return true;
            } catch (java.nio.charset.CharacterCodingException e) {
                return false;
            }
        }

        /** Sent as it is: 7bit, 8bit, binary, or no encoding named. */
        private static boolean isIdentity(String encoding) {
            return encoding == null || encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary");
        }

        private static byte[] read(InputStream in) throws IOException {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }
}
