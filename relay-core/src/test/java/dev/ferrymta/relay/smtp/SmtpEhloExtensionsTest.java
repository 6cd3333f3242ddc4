package dev.ferrymta.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests {@link EhloExtensions}; named Smtp* so the usual {@code -Dtest=Smtp*Test} run includes it. */
class SmtpEhloExtensionsTest {

    private static EhloExtensions of(String... lines) {
        return EhloExtensions.of(SmtpReply.of(250, List.of(lines)));
    }

    @Test
    void readsKeywordsInUpperCaseAfterTheGreetingLine() {
        var extensions = of("mx.example.com greets relay.example", "pipelining", "8BITMIME", "StartTLS",
                "AUTH PLAIN LOGIN");

        assertThat(extensions.keywords()).containsExactlyInAnyOrder("PIPELINING", "8BITMIME", "STARTTLS", "AUTH");
    }

    @Test
    void doesNotTakeTheGreetingLineForAKeyword() {
        assertThat(of("PIPELINING").keywords()).isEmpty();
    }

    @Test
    void readsTheSizeLimit() {
        var extensions = of("mx", "SIZE 35882577");

        assertThat(extensions.offers("SIZE")).isTrue();
        assertThat(extensions.maxSizeBytes()).hasValue(35_882_577);
    }

    @Test
    void takesSizeZeroOrWithoutANumberAsNoLimit() {
        assertThat(of("mx", "SIZE 0").maxSizeBytes()).isEmpty();
        assertThat(of("mx", "SIZE").maxSizeBytes()).isEmpty();
        assertThat(of("mx", "SIZE lots").maxSizeBytes()).isEmpty();
    }

    @Test
    void ignoresLinesThatAreNoKeyword() {
        assertThat(of("mx", "", "  ", "-dash", "\u00e9t\u00e9", "PIPELINING").keywords()).containsExactly("PIPELINING");
    }
}
