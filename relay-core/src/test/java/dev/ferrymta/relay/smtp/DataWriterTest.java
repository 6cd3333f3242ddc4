package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataWriterTest {

    private static String written(String message) throws IOException {
        var out = new ByteArrayOutputStream();
        DataWriter.write(message.getBytes(StandardCharsets.ISO_8859_1), out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsCrlfTextUnchangedAndAddsTheTerminator() throws IOException {
        assertThat(written("Subject: hi\r\n\r\nhello\r\n")).isEqualTo("Subject: hi\r\n\r\nhello\r\n.\r\n");
    }

    @Test
    void doublesTheDotThatStartsALine() throws IOException {
        assertThat(written("a\r\n.b\r\n..c\r\n")).isEqualTo("a\r\n..b\r\n...c\r\n.\r\n");
    }

    @Test
    void doublesTheDotThatStartsTheMessage() throws IOException {
        assertThat(written(".hidden\r\n")).isEqualTo("..hidden\r\n.\r\n");
    }

    @Test
    void stuffsALineOfOnlyADotSoItDoesNotEndTheData() throws IOException {
        assertThat(written("before\r\n.\r\nafter\r\n")).isEqualTo("before\r\n..\r\nafter\r\n.\r\n");
    }

    @Test
    void leavesDotsInsideALineAlone() throws IOException {
        assertThat(written("a.b. c.\r\n")).isEqualTo("a.b. c.\r\n.\r\n");
    }

    @Test
    void turnsABareLineFeedIntoCrlf() throws IOException {
        assertThat(written("one\ntwo\n")).isEqualTo("one\r\ntwo\r\n.\r\n");
    }

    @Test
    void turnsABareCarriageReturnIntoCrlf() throws IOException {
        assertThat(written("one\rtwo\r")).isEqualTo("one\r\ntwo\r\n.\r\n");
    }

    @Test
    void turnsACarriageReturnBeforeCrlfIntoALineOfItsOwn() throws IOException {
        assertThat(written("one\r\r\ntwo\r\n")).isEqualTo("one\r\n\r\ntwo\r\n.\r\n");
    }

    @Test
    void stuffsADotLineAfterABareLineFeedSoTheMessageCannotSmuggleAnEnd() throws IOException {
        assertThat(written("text\n.\r\nMAIL FROM:<evil@example.com>\r\n"))
                .isEqualTo("text\r\n..\r\nMAIL FROM:<evil@example.com>\r\n.\r\n");
    }

    @Test
    void addsTheFinalCrlfWhenTheMessageLacksOne() throws IOException {
        assertThat(written("Subject: hi\r\n\r\nno end")).isEqualTo("Subject: hi\r\n\r\nno end\r\n.\r\n");
    }

    @Test
    void sendsOnlyTheTerminatorForAnEmptyMessage() throws IOException {
        assertThat(written("")).isEqualTo(".\r\n");
    }

    @Test
    void passesEightBitBytesThrough() throws IOException {
        assertThat(written("caf\u00e9\r\n")).isEqualTo("caf\u00e9\r\n.\r\n");
    }

    @Test
    void writesCleanTextInOneRunRatherThanByteByByte() throws IOException {
        var line = "x".repeat(70) + "\r\n";
        var message = line.repeat(1000).getBytes(StandardCharsets.US_ASCII);
        var writes = new int[1];
        var counting = new OutputStream() {
            @Override
            public void write(int b) {
                writes[0]++;
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                writes[0]++;
            }
        };

        DataWriter.write(message, counting);

        assertThat(writes[0]).isLessThanOrEqualTo(3);
    }

    @ParameterizedTest(name = "\"{0}\" is {1} bytes")
    @CsvSource(delimiter = '|', value = {
            "''                 | 0",
            "abc                | 5",
            "'abc\r\n'          | 5",
            "'a\nb\n'           | 6",
            "'a\rb'             | 6",
            "'.a\r\n..b\r\n'    | 9",
    })
    void measuresTheSizeAsRfc1870CountsIt(String message, long size) {
        assertThat(DataWriter.size(message.getBytes(StandardCharsets.US_ASCII))).isEqualTo(size);
    }

    @Test
    void measuresWhatIsWrittenLessStuffingAndTerminator() throws IOException {
        var message = "Subject: x\n\n.dot\rline\r\nend";

        long stuffed = 1;
        long terminator = 3;
        assertThat(DataWriter.size(message.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(written(message).length() - stuffed - terminator);
    }

    @Test
    void findsEightBitBytes() {
        assertThat(DataWriter.hasEightBitBytes("plain ascii ~\u007f".getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        assertThat(DataWriter.hasEightBitBytes("caf\u00e9".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(DataWriter.hasEightBitBytes(new byte[] {'a', (byte) 0x80})).isTrue();
    }

    /** The message with {@code \r} and {@code \n} written out as such, so a table row stays on one line. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "From: a@b.test\\r\\nSubject: hi\\r\\n\\r\\nGrüße | false",
            "From: Jörg <j@b.test>\\r\\n\\r\\nbody | true",
            "From: a@b.test\\r\\nSubject: Köln\\r\\n\\r\\nbody | true",
            "From: a@b.test\\n\\nGrüße | false",
            "From: a@b.test\\r\\nX: y\\r\\n | false",
            "Subject: été | true",
    })
    void findsUtf8InTheHeadersOnly(String message, boolean expected) {
        var bytes = message.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.UTF_8);
        assertThat(DataWriter.hasEightBitHeaders(bytes)).isEqualTo(expected);
    }
}
