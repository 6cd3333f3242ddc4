package dev.ferrymta.relay.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MailerQ's header edits, each kind on messages with CRLF and LF line ends, folded fields and repeats. */
class HeaderEditsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String MESSAGE = "From: a@example.com\r\nTo: b@example.org\r\nX-Remove-Me: 1\r\n"
            + "Received: one\r\n\tfolded\r\nSubject: hi\r\nReceived: two\r\n\r\nbody\r\nX-Remove-Me: in the body\r\n";

    private static String apply(String edits, String message) throws Exception {
        return HeaderEdits.parse(JSON.readTree(edits)).apply(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // remove: every field of the name, any case, folded lines with it; never the body
            "{\"remove\": [\"x-remove-me\", \"RECEIVED\"]} | From: a@example.com\\r\\nTo: b@example.org\\r\\nSubject: hi\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            "{\"remove\": \"To\"} | From: a@example.com\\r\\nX-Remove-Me: 1\\r\\nReceived: one\\r\\n\\tfolded\\r\\nSubject: hi\\r\\nReceived: two\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            // prepend: first, in the order given, arrays give several fields
            "{\"prepend\": {\"X-Added\": \"yes\", \"X-Multi\": [\"1\", \"2\"]}, \"remove\": [\"received\", \"x-remove-me\"]} | X-Added: yes\\r\\nX-Multi: 1\\r\\nX-Multi: 2\\r\\nFrom: a@example.com\\r\\nTo: b@example.org\\r\\nSubject: hi\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            // append (and its other name, add): last in the header section, before the empty line
            "{\"append\": {\"X-Last\": \"z\"}, \"remove\": [\"received\", \"x-remove-me\", \"to\"]} | From: a@example.com\\r\\nSubject: hi\\r\\nX-Last: z\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            "{\"add\": {\"X-Last\": \"z\"}, \"remove\": [\"received\", \"x-remove-me\", \"to\"]} | From: a@example.com\\r\\nSubject: hi\\r\\nX-Last: z\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            // replace: the first of the name takes the value, the others go; a missing one is appended
            "{\"replace\": {\"received\": \"only\", \"Reply-To\": \"r@example.com\"}, \"remove\": [\"x-remove-me\", \"to\"]} | From: a@example.com\\r\\nreceived: only\\r\\nSubject: hi\\r\\nReply-To: r@example.com\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
            // update: as replace, but a missing one stays missing
            "{\"update\": {\"Subject\": \"changed\", \"Reply-To\": \"r@example.com\"}, \"remove\": [\"x-remove-me\", \"to\", \"received\"]} | From: a@example.com\\r\\nSubject: changed\\r\\n\\r\\nbody\\r\\nX-Remove-Me: in the body\\r\\n",
    })
    void editsTheHeaderSectionOnly(String edits, String expected) throws Exception {
        assertThat(apply(edits, MESSAGE)).isEqualTo(unescape(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "LF line ends              | From: a@example.com\\nSubject: hi\\n\\nbody\\n                 | X-A: 1\\r\\nFrom: a@example.com\\n\\nbody\\n",
            "no body at all            | From: a@example.com\\r\\nSubject: hi                        | X-A: 1\\r\\nFrom: a@example.com\\r\\n\\r\\n",
            "headers end the text      | From: a@example.com\\r\\nSubject: hi\\r\\n                    | X-A: 1\\r\\nFrom: a@example.com\\r\\n\\r\\n",
            "empty header section      | \\r\\nbody                                                    | X-A: 1\\r\\n\\r\\nbody",
    })
    void findsTheEndOfTheHeaderSection(String name, String message, String expected) throws Exception {
        assertThat(apply("{\"prepend\": {\"X-A\": \"1\"}, \"remove\": \"subject\"}", unescape(message.strip())))
                .isEqualTo(unescape(expected.strip()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"prepend\": {\"X-A\": \"1\\r\\nBcc: x@example.com\"}}  | \"headers.prepend.X-A\" must not hold CR, LF or NUL",
            "{\"append\": {\"X-B\": \"1\\nTo: x@example.com\"}}      | \"headers.append.X-B\" must not hold CR, LF or NUL",
            "{\"append\": {\"Bad:Name\": \"1\"}}                      | \"headers.append\": \u0027Bad:Name\u0027 is not a header field name",
            "{\"replace\": {\"X-A\": [\"1\", \"2\"]}}                 | \"headers.replace.X-A\" must be a string, not an array",
            "{\"remove\": 5}                                          | \"headers.remove\" must be a header name or an array of them",
            "{\"rename\": {}}                                         | \"headers.rename\" is not a header edit Ferry knows",
            "[\"x\"]                                                  | \"headers\" must be an object",
    })
    void refusesAnEditThatWouldBreakTheMessage(String edits, String error) {
        assertThatThrownBy(() -> apply(edits, MESSAGE)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(error);
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}
