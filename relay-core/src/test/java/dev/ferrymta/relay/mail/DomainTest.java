package dev.ferrymta.relay.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainTest {

    @ParameterizedTest
    @CsvSource({
            "example.com, example.com",
            "Example.COM, example.com",
            "example.com., example.com",
            "mx-1.mail.example.co.uk, mx-1.mail.example.co.uk",
            "bücher.example, xn--bcher-kva.example",
    })
    void parsesToTheCanonicalForm(String text, String canonical) {
        assertThat(Domain.parse(text)).isEqualTo(new Domain(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "-bad.example", "bad-.example", "a..example", "under_score.example",
            "<script>.example", "exa mple.com", "192.0.2.1"})
    void refusesWhatIsNotADomainName(String text) {
        assertThatThrownBy(() -> Domain.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
