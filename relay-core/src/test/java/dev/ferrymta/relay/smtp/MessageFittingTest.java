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
    }
}
