package dev.ferrymta.relay.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailAddressTest {

    @ParameterizedTest
    @CsvSource({
            "someone@example.com, someone, example.com",
            "<Some.One@Example.COM>, Some.One, example.com",
            "first+tag@mail.example.org, first+tag, mail.example.org",
            "jöran@bücher.example, jöran, xn--bcher-kva.example",
    })
    void keepsTheLocalPartAndCanonicalisesTheDomain(String text, String local, String domain) {
        assertThat(MailAddress.parse(text)).isEqualTo(new MailAddress(local, new Domain(domain)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nobody", "@example.com", "someone@", "a b@example.com", "someone@[127.0.0.1]",
            "someone@localhost", "a\"b@example.com", "\"a\"b\"@example.com", "\"a\\\"@example.com", "(comment)a@example.com",
            "\"tab\tinside\"@example.com", "12345678901234567890123456789012345678901234567890123456789012345@example.com"})
    void refusesWhatIsNotAnAddress(String text) {
        assertThatThrownBy(() -> MailAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    /** What goes into MAIL FROM and RCPT TO: dot-atoms as they are, anything else quoted (RFC 5321 section 4.1.2). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "taro..yamada@example.test | \"taro..yamada\"@example.test",
            "taro.@example.test | \"taro.\"@example.test",
            ".taro@example.test | \".taro\"@example.test",
            "\"john smith\"@example.test | \"john smith\"@example.test",
            "\"plain\"@example.test | plain@example.test",
            "\"say \\\"hi\\\"\"@example.test | \"say \\\"hi\\\"\"@example.test",
            "संपर्क@example.test | संपर्क@example.test",
            "müller@example.test | müller@example.test",
            "δοκιμή@παράδειγμα.δοκιμή | δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp",
            "ann@straße.example.test | ann@xn--strae-oqa.example.test",
    })
    void sendsTheFormRfc5321Asks(String text, String wire) {
        assertThat(MailAddress.parse(text).toString()).isEqualTo(wire);
    }

    @ParameterizedTest
    @CsvSource({"müller@example.test, true", "संपर्क@example.test, true", "plain@bücher.example, false", "a..b@example.test, false"})
    void knowsWhenTheServerMustOfferSmtputf8(String text, boolean needed) {
        assertThat(MailAddress.parse(text).needsSmtpUtf8()).isEqualTo(needed);
    }

    /** The loop that spares the usual ASCII local part the regular expression says what the expression says. */
    @Test
    void theAsciiShortcutAgreesWithTheDotAtomExpression() {
        var dotAtom = java.util.regex.Pattern.compile("[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~\\-]+(\\.[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~\\-]+)*");
        for (char c = 0; c < 0x80; c++) {
            for (var text : java.util.List.of(c + "", "a" + c, c + "a", "a" + c + "b", "a." + c, c + ".a", "a" + c + ".b")) {
                boolean expected = dotAtom.matcher(text).matches();
                if (MailAddress.isAsciiDotAtom(text)) {
                    assertThat(expected).as("'%s'", text).isTrue();
                }
                if (text.chars().allMatch(ch -> ch < 0x80)) {
                    assertThat(MailAddress.isAsciiDotAtom(text)).as("'%s'", text).isEqualTo(expected);
                }
            }
        }
        assertThat(MailAddress.isAsciiDotAtom("")).isFalse();
        assertThat(MailAddress.isAsciiDotAtom("müller")).isFalse(); // left to the expression
    }
}
