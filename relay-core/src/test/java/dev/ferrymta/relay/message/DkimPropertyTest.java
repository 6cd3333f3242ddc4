package dev.ferrymta.relay.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.dkim.DkimSigner;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MailerQ's "dkim" property, in the forms MailerQ documents, and what Ferry refuses of it. */
class DkimPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 8463 A.2's Ed25519 key. */
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

    private static ObjectNode entry() {
        return JSON.createObjectNode().put("domain", "example.com").put("selector", "x").put("key", KEY);
    }

    @Test
    void headersAreSignedAsWellAsTheRegularOnes() {
        var entry = entry();
        entry.putArray("headers").add("Feedback-ID").add("x-custom-header").add("from");
        var key = DkimProperty.parse(entry).getFirst();

        assertThat(key.headers()).startsWith(DkimSigner.DEFAULT_HEADERS.toArray(String[]::new))
                .endsWith("feedback-id", "x-custom-header").doesNotHaveDuplicates();
        assertThat(DkimProperty.parse(entry()).getFirst().headers()).as("none given: the default set").isEmpty();
    }

    @ParameterizedTest(name = "''{0}'' -> {1}/{2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // MailerQ's default, when the entry names none
            "-               | RELAXED | SIMPLE",
            "relaxed/relaxed | RELAXED | RELAXED",
            "simple/simple   | SIMPLE  | SIMPLE",
            "simple/relaxed  | SIMPLE  | RELAXED",
            // one name is the header's; the body's is then simple (RFC 6376 3.5, c=)
            "relaxed         | RELAXED | SIMPLE",
    })
    void canonicalizationIsMailerqsRelaxedSimpleUnlessTheEntrySays(String given, String header, String body) {
        var entry = entry();
        if (given != null) {
            entry.put("canonicalization", given);
        }
        var key = DkimProperty.parse(entry).getFirst();

        assertThat(key.headerCanon().name()).isEqualTo(header);
        assertThat(key.bodyCanon().name()).isEqualTo(body);
    }

    @Test
    void expireIsMailerqsTimeOrANumberOfSeconds() {
        var at = entry().put("expire", "2030-01-01 00:00:00");
        var key = DkimProperty.parse(at).getFirst();
        assertThat(key.expiresAt()).contains(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(key.signsAt(Instant.parse("2029-12-31T23:59:59Z"))).isTrue();
        assertThat(key.signsAt(Instant.parse("2030-01-01T00:00:00Z"))).as("past it, the key no longer signs").isFalse();

        assertThat(DkimProperty.parse(entry().put("expire", 86400)).getFirst().expire()).contains(Duration.ofDays(1));
    }

    @Test
    void aKeyPastItsExpiryIsLeftOutOfTheSignatures() {
        var key = DkimProperty.parse(entry().put("expire", "2030-01-01 00:00:00")).getFirst();
        var message = "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n".getBytes();

        assertThat(DkimSigner.sign(message, java.util.List.of(key), Instant.parse("2029-06-01T00:00:00Z")).applied()).hasSize(1);
        assertThat(new String(DkimSigner.sign(message, java.util.List.of(key), Instant.parse("2029-06-01T00:00:00Z")).message()))
                .contains("x=1893456000");
        assertThat(DkimSigner.sign(message, java.util.List.of(key), Instant.parse("2030-06-01T00:00:00Z")).applied()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"protocols\": [\"dkim\", \"arc\"]} | \"dkim\".protocols: only [\"dkim\"] is supported by Ferry; ARC signing is not",
            "{\"protocols\": [\"arc\"]}          | \"dkim\".protocols: only [\"dkim\"] is supported by Ferry",
            "{\"report\": true}                  | \"dkim\".report: DKIM failure reports (RFC 6651) are not supported by Ferry",
            "{\"algorithm\": \"rsa\"}            | \"dkim\".algorithm is not a DKIM setting Ferry knows",
            "{\"expire\": \"next year\"}         | \"dkim\".expire must be a time",
            "{\"expire\": 0}                     | \"dkim\".expire must be a time",
    })
    void whatFerryDoesNotDoIsRefusedNamingTheField(String extra, String error) throws Exception {
        var entry = entry();
        JSON.readTree(extra).fields().forEachRemaining(e -> entry.set(e.getKey(), e.getValue()));
        assertThatThrownBy(() -> DkimProperty.parse(entry)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(error);
    }

    @Test
    void protocolsDkimAndReportFalseAskForNothingMore() {
        var entry = entry().put("report", false);
        entry.putArray("protocols").add("dkim");
        assertThat(DkimProperty.parse(entry)).hasSize(1);
    }
}
