package dev.ferrymta.relay.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    @ValueSource(strings = {"", "nobody", "@example.com", "someone@", "a..b@example.com", ".a@example.com",
            "\"quoted\"@example.com", "a b@example.com", "someone@[127.0.0.1]", "someone@localhost"})
    void refusesWhatIsNotAPlainAddress(String text) {
        assertThatThrownBy(() -> MailAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
