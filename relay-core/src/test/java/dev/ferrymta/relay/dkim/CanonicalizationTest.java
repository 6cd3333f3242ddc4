package dev.ferrymta.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6376 section 3.4.5's example, and more bodies of the same kinds. */
class CanonicalizationTest {

    private static byte[] bytes(String text) {
        return text.replace("<SP>", " ").replace("<HTAB>", "\t").replace("<CRLF>", "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII).replace(" ", "<SP>").replace("\t", "<HTAB>").replace("\r\n", "<CRLF>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "A:<SP>X<CRLF> | relaxed | a:X<CRLF>",
            "B<SP>:<SP>Y<HTAB><CRLF><HTAB>Z<SP><SP><CRLF> | relaxed | b:Y<SP>Z<CRLF>",
            "B<SP>:<SP>Y<HTAB><CRLF><HTAB>Z<SP><SP><CRLF> | simple | B<SP>:<SP>Y<HTAB><CRLF><HTAB>Z<SP><SP><CRLF>",
            "Subject:<SP>a<SP><SP><SP>b<CRLF><SP>c<CRLF> | relaxed | subject:a<SP>b<SP>c<CRLF>",
    })
    void canonicalizesHeaderFields(String field, String algorithm, String expected) {
        assertThat(text(Canonicalization.parse(algorithm).header(bytes(field)))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // RFC 6376 section 3.4.5.
            "<SP>C<SP><CRLF>D<SP><HTAB><SP>E<CRLF><CRLF><CRLF> | relaxed | <SP>C<CRLF>D<SP>E<CRLF>",
            "<SP>C<SP><CRLF>D<SP><HTAB><SP>E<CRLF><CRLF><CRLF> | simple | <SP>C<SP><CRLF>D<SP><HTAB><SP>E<CRLF>",
            // An empty body: one CRLF in simple, nothing in relaxed.
            " | simple | <CRLF>",
            " | relaxed | ",
            "<CRLF><CRLF> | simple | <CRLF>",
            "<CRLF><CRLF> | relaxed | ",
            // No final CRLF: one is added.
            "last<SP>line | simple | last<SP>line<CRLF>",
            "last<SP>line<SP><SP> | relaxed | last<SP>line<CRLF>",
            // Empty lines inside stay; whitespace-only lines at the end go in relaxed.
            "a<CRLF><CRLF>b<CRLF><SP><SP><CRLF> | relaxed | a<CRLF><CRLF>b<CRLF>",
            "a<CRLF><CRLF>b<CRLF><SP><SP><CRLF> | simple | a<CRLF><CRLF>b<CRLF><SP><SP><CRLF>",
            ".dot<CRLF> | relaxed | .dot<CRLF>",
    })
    void canonicalizesBodies(String body, String algorithm, String expected) {
        var input = body == null ? new byte[0] : bytes(body);
        assertThat(text(Canonicalization.parse(algorithm).body(input))).isEqualTo(expected == null ? "" : expected);
    }
}
