package dev.ferrymta.testing.smtp;

import java.io.ByteArrayOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads LF-terminated lines from a stream, keeping each line's terminator as sent and never
 * holding more than a caller-chosen number of bytes of one line. The read-ahead buffer belongs
 * to this reader, so dropping the reader discards whatever the client sent ahead (RFC 3207).
 * Before it waits for more input it flushes the server's replies, so replies to pipelined
 * commands go out together, once the commands read ahead have been answered (RFC 2920 section
 * 3.2), as Postfix's smtpd writes them.
 */
final class LineReader {

    /** A line including its terminator, or the fact that it was longer than allowed. */
    record Line(byte[] bytes, boolean tooLong) {}

    private final InputStream in;
    private final Flushable beforeWaiting;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    /** @param beforeWaiting flushed each time the reader has used up what it read and reads again */
    LineReader(InputStream in, Flushable beforeWaiting) {
        this.in = in;
        this.beforeWaiting = beforeWaiting;
    }

    /**
     * The next line, at most {@code maxBytes} long including its terminator, or {@code null} when
     * the stream ends before a complete line. A longer line is read to its end and thrown away.
     */
    Line readLine(long maxBytes) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        boolean tooLong = false;
        while (true) {
            if (position == limit && !fill()) {
                return null;
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            boolean complete = position < limit;
            if (complete) {
                position++;
            }
            int length = position - start;
            if (!tooLong && line.size() + (long) length > maxBytes) {
                tooLong = true;
                line.reset();
            }
            if (!tooLong) {
                line.write(buffer, start, length);
            }
            if (complete) {
                return new Line(tooLong ? new byte[0] : line.toByteArray(), tooLong);
            }
        }
    }

    private boolean fill() throws IOException {
        beforeWaiting.flush();
        int read = in.read(buffer);
        if (read <= 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }
}
