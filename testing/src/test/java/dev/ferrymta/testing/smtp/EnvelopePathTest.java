package dev.ferrymta.testing.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopePathTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MAIL FROM:<a@example.com>                  | a@example.com",
        "MAIL FROM:<>                               | ''",
        "MAIL FROM: <a@example.com> SIZE=10         | a@example.com",
        "rcpt to:<B@Example.NET> NOTIFY=NEVER       | B@Example.NET"
    })
    void readsThePathBetweenTheAngleBrackets(String line, String path) {
        assertThat(EnvelopePath.of(line)).contains(path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"MAIL FROM:a@example.com", "MAIL FROM:<a@example.com", "NOOP"})
    void findsNoPathWithoutAngleBrackets(String line) {
        assertThat(EnvelopePath.of(line)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MAIL FROM:<a@example.com> SIZE=10 BODY=8BITMIME | SIZE=10 BODY=8BITMIME",
        "MAIL FROM:<a@example.com>                       | ''"
    })
    void readsTheParametersAfterThePath(String line, String parameters) {
        assertThat(EnvelopePath.parameters(line)).isEqualTo(parameters);
    }
}
