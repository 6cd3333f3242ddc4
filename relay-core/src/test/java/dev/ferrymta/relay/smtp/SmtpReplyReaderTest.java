package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests {@link ReplyReader}; named Smtp* so the usual {@code -Dtest=Smtp*Test} run includes it. */
class SmtpReplyReaderTest {

    private static ReplyReader reader(String wire) {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static SmtpReply reply(ReplyReader.Result result) {
        assertThat(result).isInstanceOf(ReplyReader.Received.class);
        return ((ReplyReader.Received) result).reply();
    }

    private static String violation(String wire) throws IOException {
        var result = reader(wire).read();
        assertThat(result).isInstanceOf(ReplyReader.Violation.class);
        return ((ReplyReader.Violation) result).description();
    }

    @Test
    void readsASingleLineReply() throws IOException {
        assertThat(reply(reader("250 ok\r\n").read())).isEqualTo(SmtpReply.of(250, "ok"));
    }

    @Test
    void readsAMultilineReplyAsOne() throws IOException {
        var reply = reply(reader("250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n").read());

        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.lines()).containsExactly("mx.example.com", "PIPELINING", "SIZE 1000");
    }

    @Test
    void readsPipelinedRepliesOneAtATime() throws IOException {
        var reader = reader("250 2.1.0 ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n");

        assertThat(List.of(reply(reader.read()).code(), reply(reader.read()).code(), reply(reader.read()).code()))
                .containsExactly(250, 550, 554);
    }

    @Test
    void takesTheEnhancedStatusFromTheText() throws IOException {
        var reply = reply(reader("550-5.1.1 no such user\r\n550 5.1.1 see https://example.com\r\n").read());

        assertThat(reply.enhancedStatus()).contains("5.1.1");
        assertThat(reply.text()).startsWith("no such user");
    }

    @Test
    void acceptsACodeWithoutText() throws IOException {
        assertThat(reply(reader("354\r\n").read())).isEqualTo(SmtpReply.of(354, List.of("")));
    }

    @Test
    void toleratesABareLineFeed() throws IOException {
        assertThat(reply(reader("221 bye\n").read())).isEqualTo(SmtpReply.of(221, "bye"));
    }

    @Test
    void decodesBytesAsLatin1() throws IOException {
        assertThat(reply(reader("550 caf\u00e9\r\n").read()).text()).isEqualTo("caf\u00e9");
    }

    @Test
    void replacesControlCharactersSoTheTextCannotForgeLogLines() throws IOException {
        assertThat(reply(reader("550 bad\u0000\u001b[31m\rx\r\n").read()).text()).isEqualTo("bad??[31m?x");
    }

    @Test
    void acceptsALineOfExactlyTheLongestLength() throws IOException {
        var line = "250 " + "x".repeat(ReplyReader.MAX_LINE_CHARS - 4);

        assertThat(reply(reader(line + "\r\n").read()).text()).hasSize(503);
    }

    @Test
    void refusesALineLongerThan2000Characters() throws IOException {
        var line = "250 " + "x".repeat(ReplyReader.MAX_LINE_CHARS - 3);

        assertThat(violation(line + "\r\n")).contains("longer than 2000 characters");
    }

    @Test
    void stopsReadingAnEndlessLine() throws IOException {
        var endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };

        assertThat(new ReplyReader(endless).read()).isInstanceOf(ReplyReader.Violation.class);
    }

    @Test
    void acceptsAReplyOfOneHundredLines() throws IOException {
        var wire = "250-line\r\n".repeat(ReplyReader.MAX_LINES - 1) + "250 last\r\n";

        assertThat(reply(reader(wire).read()).lines()).hasSize(100);
    }

    @Test
    void refusesAReplyOfMoreThanOneHundredLines() throws IOException {
        var wire = "250-line\r\n".repeat(ReplyReader.MAX_LINES) + "250 last\r\n";

        assertThat(violation(wire)).contains("longer than 100 lines");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"hello world", "", "25", "2x0 ok", "2500 ok", "250_ok", "199 too low", "600 too high",
            "099 no", " 250 ok"})
    void refusesALineWithoutAThreeDigitCodeAsAProtocolError(String line) throws IOException {
        assertThat(violation(line + "\r\n")).startsWith("malformed reply line");
    }

    @Test
    void refusesACodeThatChangesWithinAReply() throws IOException {
        assertThat(violation("250-first\r\n251 second\r\n")).contains("changed from 250 to 251");
    }

    @Test
    void reportsTheEndOfTheStreamBeforeAReply() {
        assertThatThrownBy(() -> reader("").read()).isInstanceOf(EOFException.class);
    }

    @Test
    void reportsTheEndOfTheStreamInTheMiddleOfAReply() {
        assertThatThrownBy(() -> reader("250-first\r\n250 sec").read()).isInstanceOf(EOFException.class);
    }
}
