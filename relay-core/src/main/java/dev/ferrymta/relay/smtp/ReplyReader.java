package dev.ferrymta.relay.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies (RFC 5321 section 4.2), single or multi-line, from a server's input stream.
 * Bounded, so a hostile or broken server cannot make the client hold more than one line of
 * {@value #MAX_LINE_CHARS} characters and {@value #MAX_LINES} lines per reply. A reply that
 * breaks the grammar or the bounds comes back as a {@link Violation}; the stream is then out of
 * step and the connection should not be used again.
 *
 * <p>The read-ahead buffer belongs to the reader: after STARTTLS a new reader is made on the TLS
 * stream, so anything the server sent ahead in plain text is dropped (RFC 3207 section 6).
 */
final class ReplyReader {

    static final int MAX_LINE_CHARS = 2000;
    static final int MAX_LINES = 100;

    /** What one read came to. */
    sealed interface Result permits Received, Violation {
    }

    /** A well-formed reply. */
    record Received(SmtpReply reply) implements Result {
    }

    /** The server broke the protocol; {@code description} says how, for the attempt. */
    record Violation(String description) implements Result {
    }

    /**
     * Called before every read from the stream: throws when nothing is left of the step's
     * deadline. A read that waits past it is cut off by the connection's {@link StallWatch}. So
     * a server that sends its reply a byte at a time cannot stretch a step beyond its deadline,
     * as it could a timeout per read.
     */
    @FunctionalInterface
    interface Deadline {
        void beforeRead() throws java.net.SocketTimeoutException;

        /** No deadline beyond the stream's own. */
        Deadline NONE = () -> {
        };
    }

    private final InputStream in;
    private final byte[] buffer = new byte[4096];
    private Deadline deadline = Deadline.NONE;
    private final byte[] line = new byte[MAX_LINE_CHARS + 1];
    private int position;
    private int limit;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next reply.
     *
     * @throws java.net.SocketTimeoutException when the socket's timeout passes first
     * @throws EOFException                    when the server closes the connection first
     */
    Result read() throws IOException {
        return read(Deadline.NONE);
    }

    /**
     * The next reply, all of it before {@code until} says time is up.
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first
     * @throws EOFException                    when the server closes the connection first
     */
    Result read(Deadline until) throws IOException {
        deadline = until;
        try {
            return readReply();
        } finally {
            deadline = Deadline.NONE;
        }
    }

    private Result readReply() throws IOException {
        List<String> texts = new ArrayList<>();
        int code = 0;
        while (true) {
            int length = readLine();
            if (length < 0) {
                return new Violation("reply line longer than " + MAX_LINE_CHARS + " characters");
            }
            int lineCode = parseCode(length);
            if (lineCode < 0) {
                return new Violation("malformed reply line: '" + decode(0, Math.min(length, 80)) + "'");
            }
            if (code != 0 && lineCode != code) {
                return new Violation("reply code changed from " + code + " to " + lineCode + " within one reply");
            }
            code = lineCode;
            texts.add(length > 4 ? decode(4, length) : "");
            boolean last = length == 3 || line[3] == ' ';
            if (last) {
                return new Received(SmtpReply.of(code, texts));
            }
            if (texts.size() == MAX_LINES) {
                return new Violation("reply longer than " + MAX_LINES + " lines");
            }
        }
    }

    /**
     * Reads one line into {@link #line} without its CRLF (a bare LF is tolerated).
     *
     * @return its length, or -1 when it is too long; the rest of it is left unread, as the
     *     connection is abandoned anyway and the server might never stop sending
     */
    private int readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit) {
                fill();
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int content = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                return content > MAX_LINE_CHARS ? -1 : content;
            }
            // One more than allowed, for the CR of a line of exactly the maximum.
            if (length == MAX_LINE_CHARS + 1) {
                return -1;
            }
            line[length++] = b;
        }
    }

    private void fill() throws IOException {
        deadline.beforeRead();
        int read = in.read(buffer);
        if (read < 0) {
            throw new EOFException("the server closed the connection");
        }
        position = 0;
        limit = read;
    }

    /** The three-digit code 200-599 and separator at the start of the line, or -1. */
    private int parseCode(int length) {
        if (length < 3 || line[0] < '2' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2])) {
            return -1;
        }
        if (length > 3 && line[3] != ' ' && line[3] != '-') {
            return -1;
        }
        return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * ISO-8859-1, so any byte decodes; control characters become '?' because the text goes into
     * logs and results, where a hostile server must not forge lines.
     */
    private String decode(int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            int c = line[i] & 0xff;
            chars[i - from] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' : (char) c;
        }
        return new String(chars);
    }
}
