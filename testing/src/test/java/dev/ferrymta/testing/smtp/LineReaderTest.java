package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineReaderTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'NOOP\\r\\n'      | 'NOOP\\r\\n'",
        "'NOOP\\n'         | 'NOOP\\n'",
        "'NOOP\\r\\nQUIT'  | 'NOOP\\r\\n'",
        "'\\r\\n'          | '\\r\\n'"
    })
    void keepsTheLineEndingAsSent(String input, String expected) throws IOException {
        LineReader reader = reader(unescape(input));

        assertThat(text(reader.readLine(100))).isEqualTo(unescape(expected));
    }

    @Test
    void readsPipelinedLinesOneByOne() throws IOException {
        LineReader reader = reader("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");

        assertThat(text(reader.readLine(100))).isEqualTo("MAIL FROM:<a@b>\r\n");
        assertThat(text(reader.readLine(100))).isEqualTo("RCPT TO:<c@d>\r\n");
    }

    @Test
    void flagsALineLongerThanTheLimitAndSkipsToTheNextLine() throws IOException {
        LineReader reader = reader("x".repeat(20_000) + "\r\nNOOP\r\n");

        assertThat(reader.readLine(100).tooLong()).isTrue();
        assertThat(text(reader.readLine(100))).isEqualTo("NOOP\r\n");
    }

    @Test
    void countsTheLineEndingTowardsTheLimit() throws IOException {
        assertThat(reader("abcd\r\n").readLine(5).tooLong()).isTrue();
    }

    @Test
    void returnsNullForAnUnterminatedLastLine() throws IOException {
        assertThat(reader("QUIT").readLine(100)).isNull();
    }

    /**
     * The replies to pipelined commands go out together: the reader flushes only when it has
     * served every line it read ahead and must read again, never between lines it holds.
     */
    @Test
    void flushesOnlyBeforeReadingAgain() throws IOException {
        var events = new ArrayList<String>();
        // Two TCP segments: the pipelined group, then QUIT. Each read returns at most the rest of one.
        var chunks = new ArrayDeque<>(List.of("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", "QUIT\r\n"));
        var in = new InputStream() {
            @Override
            public int read() {
                var one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                events.add("read");
                if (chunks.isEmpty()) {
                    return -1;
                }
                var bytes = chunks.poll().getBytes(StandardCharsets.US_ASCII);
                int n = Math.min(length, bytes.length);
                System.arraycopy(bytes, 0, buffer, offset, n);
                if (n < bytes.length) {
                    chunks.addFirst(new String(bytes, n, bytes.length - n, StandardCharsets.US_ASCII));
                }
                return n;
            }
        };
        var reader = new LineReader(in, () -> events.add("flush"));

        for (int i = 0; i < 4; i++) {
            events.add(text(reader.readLine(100)).strip());
        }
        assertThat(reader.readLine(100)).isNull();

        assertThat(events).containsExactly("flush", "read", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA",
                "flush", "read", "QUIT", "flush", "read");
    }

    private static LineReader reader(String input) {
        return new LineReader(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), () -> {
        });
    }

    private static String text(LineReader.Line line) {
        assertThat(line.tooLong()).isFalse();
        return new String(line.bytes(), StandardCharsets.UTF_8);
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
