package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    private static LineReader reader(String input) {
        return new LineReader(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(LineReader.Line line) {
        assertThat(line.tooLong()).isFalse();
        return new String(line.bytes(), StandardCharsets.UTF_8);
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
