package dev.ferrymta.relay.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a message as the text of the SMTP {@code DATA} command (RFC 5321 section 4.5.2): every
 * line ending CRLF (a bare LF or bare CR becomes one, so the server sees no ambiguous line ends
 * and no {@code <LF>.<CR><LF>} smuggling), a dot doubled at the start of each line, a final CRLF
 * when the message lacks one, then the terminating {@code .CRLF}.
 *
 * <p>Streams runs of the message straight from its array into the output: no copy of the
 * message is made, so the output should be buffered.
 */
final class DataWriter {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    private static final byte[] CRLF = {CR, LF};
    private static final byte[] TERMINATOR = {DOT, CR, LF};

    private DataWriter() {
    }

    /** Writes {@code message} as DATA text, terminator included; does not flush. */
    static void write(byte[] message, OutputStream out) throws IOException {
        int runStart = 0;
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == CR && i + 1 < message.length && message[i + 1] == LF) {
                i++;
                lineStart = true;
            } else if (b == CR || b == LF) {
                out.write(message, runStart, i - runStart);
                out.write(CRLF);
                runStart = i + 1;
                lineStart = true;
            } else {
                if (lineStart && b == DOT) {
                    // Ends the run before the dot and writes one more; the dot itself starts the next run.
                    out.write(message, runStart, i - runStart);
                    out.write(DOT);
                    runStart = i;
                }
                lineStart = false;
            }
        }
        out.write(message, runStart, message.length - runStart);
        if (!lineStart) {
            out.write(CRLF);
        }
        out.write(TERMINATOR);
    }

    /**
     * The message size as RFC 1870 counts it for {@code SIZE=}: every line ending as CRLF, the
     * final CRLF included, the doubled dots and the terminator not.
     */
    static long size(byte[] message) {
        long size = message.length;
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == CR && i + 1 < message.length && message[i + 1] == LF) {
                i++;
                lineStart = true;
            } else if (b == CR || b == LF) {
                size++;
                lineStart = true;
            } else {
                lineStart = false;
            }
        }
        return lineStart ? size : size + 2;
    }

    /**
     * Whether the header section (up to the first empty line) holds bytes beyond ASCII: UTF-8
     * headers (RFC 6532), which only a server offering SMTPUTF8 may be sent.
     */
    static boolean hasEightBitHeaders(byte[] message) {
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b < 0) {
                return true;
            }
            // An empty line ends the headers: LF LF, or CR LF CR LF.
            if (b == '\n' && i + 1 < message.length
                    && (message[i + 1] == '\n' || (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n'))) {
                return false;
            }
        }
        return false;
    }

    /** Whether any byte is outside 7-bit ASCII, so the message needs {@code BODY=8BITMIME}. */
    static boolean hasEightBitBytes(byte[] message) {
        for (byte b : message) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }
}
