package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fitting a message to a server: every case checks the rules (no line over 998 octets; no 8-bit
 * byte for a 7-bit server) and that every part still decodes to what it was.
 */
class MessageFittingTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Each leaf part as its MIME type and its decoded content, in order: what the recipient sees. */
    private static List<String> decodedParts(byte[] message) throws Exception {
        var parts = new ArrayList<String>();
        var stream = new MimeTokenStream(new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).build());
        stream.parse(new ByteArrayInputStream(message));
        for (var state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
            if (state == EntityState.T_BODY) {
                parts.add(stream.getBodyDescriptor().getMimeType() + ": "
                        + new String(stream.getDecodedInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return parts;
    }

    private static byte[] fitted(byte[] message, boolean eightBitMime) {
        var result = MessageFitting.fit(message, eightBitMime);
        assertThat(result).isInstanceOf(MessageFitting.Fitted.class);
        return ((MessageFitting.Fitted) result).message();
    }

    private static void assertFitsAndMeansTheSame(byte[] original, byte[] fitted, boolean eightBitMime) throws Exception {
        assertThat(MessageFitting.hasLongLine(fitted)).as("a line over 998 octets").isFalse();
        if (!eightBitMime) {
            assertThat(DataWriter.hasEightBitBytes(fitted)).as("8-bit bytes for a 7-bit server").isFalse();
        }
        assertThat(decodedParts(fitted)).isEqualTo(decodedParts(original));
        // mime4j reads a multipart without its close delimiter leniently; RFC 2046 (5.1.1) requires it.
        var text = new String(fitted, StandardCharsets.ISO_8859_1);
        for (var boundary : boundaries(original)) {
            assertThat(text).as("the close delimiter of " + boundary).containsOnlyOnce("\r\n--" + boundary + "--\r\n");
        }
        assertThat(text).endsWith("\r\n");
    }

    /** The boundary of each multipart in {@code message}. */
    private static List<String> boundaries(byte[] message) throws Exception {
        var found = new ArrayList<String>();
        var stream = new MimeTokenStream(new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).build());
        stream.parse(new ByteArrayInputStream(message));
        for (var state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
            if (state == EntityState.T_START_MULTIPART) {
                found.add(stream.getBodyDescriptor().getBoundary());
            }
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // nothing after the close delimiter: the usual case
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Transfer-Encoding: 8bit\r\n\r\nCafé\r\n--BB--\r\n",
            // the close delimiter without its line break at the very end
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "\r\nCafé\r\n--BB--",
            // nested, neither closing with an epilogue
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n--OUT\r\nContent-Type: multipart/alternative; "
                    + "boundary=IN\r\n\r\n--IN\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnaïve\r\n--IN\r\n"
                    + "Content-Type: text/html; charset=utf-8\r\n\r\n<b>naïve</b>\r\n--IN--\r\n--OUT\r\nContent-Type: text/plain\r\n\r\n"
                    + "second\r\n--OUT--\r\n",
    })
    void everyMultipartKeepsItsCloseDelimiter(String message) throws Exception {
        var original = bytes(message);

        var fitted = fitted(original, false);

        assertFitsAndMeansTheSame(original, fitted, false);
    }

    @Test
    void eightBitTextWithoutMimeFieldsGetsMimeVersionAndTheCharsetItIsIn() throws Exception {
        var original = bytes("From: a@b.test\r\nSubject: x\r\n\r\nCafé naïve\r\n");

        var text = new String(fitted(original, false), StandardCharsets.US_ASCII);

        assertThat(text).containsOnlyOnce("MIME-Version: 1.0\r\n").containsOnlyOnce("Content-Type: text/plain; charset=utf-8\r\n")
                .contains("Content-Transfer-Encoding: quoted-printable\r\n", "Caf=C3=A9 na=C3=AFve");
        assertThat(decodedParts(text.getBytes(StandardCharsets.US_ASCII))).isEqualTo(decodedParts(original));
    }

    @Test
    void aLongAsciiLineWithoutMimeFieldsGetsMimeVersionAndNoCharset() throws Exception {
        var original = bytes("From: a@b.test\r\n\r\n" + "z".repeat(1200) + "\r\n");

        var text = new String(fitted(original, true), StandardCharsets.US_ASCII);

        assertThat(text).containsOnlyOnce("MIME-Version: 1.0\r\n").doesNotContain("Content-Type")
                .contains("Content-Transfer-Encoding: quoted-printable\r\n");
        assertThat(decodedParts(text.getBytes(StandardCharsets.US_ASCII))).isEqualTo(decodedParts(original));
    }

    @ParameterizedTest(name = "8BITMIME offered: {0}")
    @ValueSource(booleans = {true, false})
    void aNulByteIsReEncodedForAnyServer(boolean eightBitMime) throws Exception {
        var original = bytes("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nbefore\u0000after\r\n");

        var fitted = fitted(original, eightBitMime);

        assertThat(MessageFitting.hasNul(fitted)).isFalse();
        assertThat(new String(fitted, StandardCharsets.US_ASCII)).contains("Content-Transfer-Encoding: quoted-printable\r\n",
                "before=00after");
        assertThat(decodedParts(fitted)).isEqualTo(decodedParts(original));
    }

    @Test
    void eightBitBytesThatAreNotUtf8AreLabelledUnknown8bit() throws Exception {
        var original = "From: a@b.test\r\n\r\nCaf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);

        var text = new String(fitted(original, false), StandardCharsets.US_ASCII);

        assertThat(text).contains("MIME-Version: 1.0\r\n", "Content-Type: text/plain; charset=unknown-8bit\r\n", "Caf=E9");
    }

    @Test
    void aMessageThatHasItsMimeFieldsKeepsThemAsTheyAre() throws Exception {
        var original = bytes("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCafé\r\n");

        var text = new String(fitted(original, false), StandardCharsets.US_ASCII);

        assertThat(text).containsOnlyOnce("MIME-Version").containsOnlyOnce("Content-Type: text/plain; charset=iso-8859-1\r\n");
    }

    @ParameterizedTest(name = "{0}, 8BITMIME {1}: fits as it is {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "ascii, false, true",
            "ascii, true, true",
            "8bit, true, true",
            "8bit, false, false",
            "nul, true, false",
            "line998, false, true",
            "line999, true, false",
            "bareLf999, true, false",
    })
    void oneScanDecidesWhetherAMessageFitsAsItIs(String kind, boolean eightBitMime, boolean fits) {
        var message = switch (kind) {
            case "ascii" -> bytes("Subject: a\r\n\r\nplain text\r\n");
            case "8bit" -> bytes("Subject: a\r\n\r\nGrüße\r\n");
            case "nul" -> bytes("Subject: a\r\n\r\na\u0000b\r\n");
            case "line998" -> bytes("Subject: a\r\n\r\n" + "x".repeat(998) + "\r\n");
            case "line999" -> bytes("Subject: a\r\n\r\n" + "x".repeat(999) + "\r\n");
            default -> bytes("Subject: a\n\n" + "x".repeat(999) + "\n");
        };

        assertThat(MessageFitting.fitsAsItIs(message, eightBitMime)).isEqualTo(fits);
    }

    @Test
    void aMessageThatFitsIsReturnedAsItWasWithoutParsing() {
        var message = bytes("From: a@b.test\r\nSubject: hi\r\n\r\nGrüße aus Köln\r\n");

        var result = (MessageFitting.Fitted) MessageFitting.fit(message, true);

        assertThat(result.message()).isSameAs(message);
        assertThat(result.converted()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Content-Transfer-Encoding: 8bit\r\n", "Content-Transfer-Encoding: binary\r\n",
            "Content-Transfer-Encoding: 7bit\r\n"})
    void anEightBitBodyIsQuotedPrintableForASevenBitServer(String encoding) throws Exception {
        var message = bytes("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" + encoding
                + "\r\nGrüße aus Köln\r\nΚαλημέρα κόσμε\r\n");

        var fitted = fitted(message, false);

        assertFitsAndMeansTheSame(message, fitted, false);
        assertThat(new String(fitted, StandardCharsets.US_ASCII)).contains("Content-Transfer-Encoding: quoted-printable\r\n")
                .contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln");
    }

    @ParameterizedTest
    @ValueSource(ints = {999, 1507, 5000, 70_000})
    void aLineOverNineHundredNinetyEightOctetsIsReEncodedEvenForAnEightBitServer(int length) throws Exception {
        var html = "<p>" + "x".repeat(length) + "</p>";
        var message = bytes("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n"
                + "--b1\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--b1--\r\n");

        var fitted = fitted(message, true);

        assertFitsAndMeansTheSame(message, fitted, true);
        var text = new String(fitted, StandardCharsets.UTF_8);
        // Only the part with the long line is re-encoded; the 8-bit one may go as it is.
        assertThat(text).contains("Grüße").containsOnlyOnce("quoted-printable");
    }

    @Test
    void everyPartOfANestedMultipartAndAnAttachedMessageIsFittedForASevenBitServer() throws Exception {
        var message = bytes("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "This is a preamble.\r\n"
                + "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
                + "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnaïve café\r\n"
                + "--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<b>naïve</b> " + "y".repeat(1200) + "\r\n"
                + "--inner--\r\n"
                + "--outer\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Subject: forwarded\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nÅse\r\n"
                + "--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
                + "--outer--\r\nAn epilogue.\r\n");

        var fitted = fitted(message, false);

        assertFitsAndMeansTheSame(message, fitted, false);
        var text = new String(fitted, StandardCharsets.US_ASCII);
        assertThat(text).doesNotContain("Content-Transfer-Encoding: 8bit").contains("JVBERi0xLjQK", "This is a preamble.");
    }

    @Test
    void aLongHeaderLineIsFoldedAtItsLastSpace() throws Exception {
        var words = String.join(" ", java.util.Collections.nCopies(300, "word"));
        var message = bytes("Subject: " + words + "\r\nX-Other: short\r\n\r\nbody\r\n");

        var fitted = fitted(message, true);

        assertThat(MessageFitting.hasLongLine(fitted)).isFalse();
        var unfolded = new String(fitted, StandardCharsets.US_ASCII).replace("\r\n ", " ");
        assertThat(unfolded).startsWith("Subject: " + words + "\r\nX-Other: short\r\n\r\nbody");
    }

    @Test
    void whatCannotBeFittedIsRefusedWithTheReason() {
        var base64WithLongLine = bytes("Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "A".repeat(2000) + "\r\n");
        var headerWithoutSpace = bytes("X-Token: " + "t".repeat(1200) + "\r\n\r\nbody\r\n");

        assertThat(MessageFitting.fit(base64WithLongLine, true)).isInstanceOfSatisfying(MessageFitting.Refused.class,
                refused -> assertThat(refused.reason()).contains("base64", "cannot be re-encoded"));
        assertThat(MessageFitting.fit(headerWithoutSpace, true)).isInstanceOfSatisfying(MessageFitting.Refused.class,
                refused -> assertThat(refused.reason()).contains("no space to fold"));
        var nulInHeader = bytes("X-Bad: a\u0000b\r\n\r\nbody\r\n");
        assertThat(MessageFitting.fit(nulInHeader, true)).isInstanceOfSatisfying(MessageFitting.Refused.class,
                refused -> assertThat(refused.reason()).contains("NUL byte outside any part"));
        var base64WithNul = bytes("Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\u0000\r\n");
        assertThat(MessageFitting.fit(base64WithNul, true)).isInstanceOfSatisfying(MessageFitting.Refused.class,
                refused -> assertThat(refused.reason()).contains("NUL bytes", "cannot be re-encoded"));
    }
}
