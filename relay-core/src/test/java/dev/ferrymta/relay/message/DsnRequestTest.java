package dev.ferrymta.relay.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MailerQ's "dsn" property as RFC 3461 parameters. */
class DsnRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"notify\": \"FAILURE,DELAY\", \"ret\": \"HDRS\", \"envid\": \"e-1\", \"orcpt\": \"rfc822;orig@example.test\"} | ' RET=HDRS ENVID=e-1' | ' NOTIFY=FAILURE,DELAY ORCPT=rfc822;orig@example.test'",
            // MailerQ's own example gives orcpt as a bare address
            "{\"notify\": \"failure\", \"ret\": \"full\", \"orcpt\": \"info@example.org\"} | ' RET=FULL' | ' NOTIFY=FAILURE ORCPT=rfc822;info@example.org'",
            "{\"notify\": \"never\"} | '' | ' NOTIFY=NEVER'",
            "{\"notify\": \"SUCCESS, FAILURE, SUCCESS\"} | '' | ' NOTIFY=SUCCESS,FAILURE'",
            // xtext (RFC 3461 section 4): '+', '=' and spaces encoded
            "{\"envid\": \"a+b=c d\", \"orcpt\": \"rfc822;x+tag@example.org\"} | ' ENVID=a+2Bb+3Dc+20d' | ' ORCPT=rfc822;x+2Btag@example.org'",
            "{} | '' | ''",
    })
    void becomesRfc3461Parameters(String json, String mail, String rcpt) throws Exception {
        var dsn = DsnRequest.parse(JSON.readTree(json));
        assertThat(dsn.mailParameters()).isEqualTo(mail);
        assertThat(dsn.rcptParameters()).isEqualTo(rcpt);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"notify\": \"SOMETIMES\"}               | \"dsn.notify\" must be NEVER or some of SUCCESS, FAILURE, DELAY",
            "{\"notify\": \"NEVER,FAILURE\"}           | \"dsn.notify\": NEVER cannot be combined",
            "{\"ret\": \"BODY\"}                        | \"dsn.ret\" must be FULL or HDRS",
            "{\"envid\": \"été\"}                       | \"dsn.envid\" must be at most 100 printable ASCII characters",
            "{\"orcpt\": \"bad type;x@example.org\"}   | \"dsn.orcpt\" must be an address or addr-type;address",
            "{\"notify\": 3}                          | \"dsn.notify\" must be a string",
            "{\"return\": \"HDRS\"}                     | \"dsn.return\" is not a DSN setting Ferry knows",
            "\"FAILURE\"                              | \"dsn\" must be an object",
    })
    void refusesWhatRfc3461DoesNotAllow(String json, String error) {
        assertThatThrownBy(() -> DsnRequest.parse(JSON.readTree(json))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(error);
    }
}
