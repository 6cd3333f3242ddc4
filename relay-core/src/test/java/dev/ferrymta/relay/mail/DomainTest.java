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
            "BÜCHER.Example, xn--bcher-kva.example",
            // IDNA2008 / UTS #46 non-transitional: these keep their letters, IDNA2003 would map them away.
            "straße.example.test, xn--strae-oqa.example.test",
            "βόλος.example, xn--nxasmm1c.example",
            "نامه‌ای.example, xn--mgba3gch31f060k.example",
            "例え.テスト, xn--r8jz45g.xn--zckzah",
    })
    void parsesToTheCanonicalForm(String text, String canonical) {
        assertThat(Domain.parse(text)).isEqualTo(new Domain(canonical));
    }

    @ParameterizedTest
    @CsvSource({
            "straße.example, strasse.example",
            "βόλος.example, βόλοσ.example",
            "نامه‌ای.example, نامهای.example",
            "क्‍ष.example, क्ष.example",
    })
    void keepsDeviationCharactersApartFromTheirIdna2003Mappings(String kept, String mappedIn2003) {
        assertThat(Domain.parse(kept)).isNotEqualTo(Domain.parse(mappedIn2003));
    }

    @ParameterizedTest
    @ValueSource(strings = {"straße.example.test", "βόλος.example", "नमस्ते.example", "bücher.example"})
    void showsAnInternationalisedNameAsUnicodeAgain(String text) {
        assertThat(Domain.parse(text).unicode()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "-bad.example", "bad-.example", "a..example", "under_score.example",
            "<script>.example", "exa mple.com", "192.0.2.1", "a‍b.example", "x‌y.example"})
    void refusesWhatIsNotADomainName(String text) {
        assertThatThrownBy(() -> Domain.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void isValidFollowsTheLdhRuleLabelByLabel() {
        var label63 = "a".repeat(63);
        assertThat(Domain.isValid(label63 + ".example")).isTrue();
        assertThat(Domain.isValid("a".repeat(64) + ".example")).as("a 64-octet label").isFalse();
        assertThat(Domain.isValid("xn--bcher-kva.example")).isTrue();
        assertThat(Domain.isValid("a-b.c-d.example")).isTrue();
        assertThat(Domain.isValid("9.example")).isTrue();
        assertThat(Domain.isValid("example.123")).as("an all-numeric last label").isFalse();
        assertThat(Domain.isValid("example.1a")).isTrue();
        assertThat(Domain.isValid("Example.com")).as("not canonical (upper case)").isFalse();
        assertThat(Domain.isValid("example.com.")).as("a trailing dot is an empty label").isFalse();
        assertThat(Domain.isValid(".example.com")).isFalse();
        assertThat(Domain.isValid("example")).as("one label").isFalse();
        assertThat(Domain.isValid((label63 + ".").repeat(3) + "a".repeat(61))).as("253 octets").isTrue();
        assertThat(Domain.isValid((label63 + ".").repeat(3) + "a".repeat(62))).as("254 octets").isFalse();
    }
}
