package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ResultJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOON = Instant.parse("2026-11-22T12:00:05Z");

    private static ObjectNode message() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"envelope":"a@b.test","recipient":"c@d.test","mime":"Subject: x\\r\\n\\r\\nbody","campaign":"x7",
                 "results":[{"state":"rcptto","result":"error","time":"2026-11-22 11:00:00"}]}""");
    }

    private static Attempt accepted() throws Exception {
        return new Attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, NOON, Optional.of(InetAddress.getByName("127.0.0.2")),
                Optional.of(InetAddress.getByName("192.0.2.7")), Optional.of("mx.d.test"), OptionalInt.of(250),
                Optional.of("2.0.0"), "queued as 12345");
    }

    @Test
    void aResultAppendsTheAttemptAndKeepsEveryOtherKey() throws Exception {
        var result = ResultJson.result(message(), List.of(accepted()), false);

        assertThat(result.get("campaign").asText()).isEqualTo("x7");
        assertThat(result.has("mime")).isFalse();
        assertThat(result.get("results")).hasSize(2);
        assertThat(result.get("results").get(1).toString()).isEqualTo("""
                {"state":"message","result":"accepted","time":"2026-11-22 12:00:05","from":"127.0.0.2","to":"192.0.2.7",\
                "mta":"mx.d.test","code":250,"status":"2.0.0","description":"queued as 12345"}""");
    }

    @Test
    void aResultKeepsTheMimeWhenAsked() throws Exception {
        assertThat(ResultJson.result(message(), List.of(accepted()), true).get("mime").asText()).startsWith("Subject: x");
    }

    @Test
    void theMessageAsReceivedIsNotChanged() throws Exception {
        var message = message();
        var before = message.toString();
        ResultJson.result(message, List.of(accepted()), false);
        ResultJson.retry(message, List.of(accepted()), NOON);
        assertThat(message.toString()).isEqualTo(before);
    }

    @Test
    void keysThatDoNotApplyAreLeftOutAsMailerqDoes() {
        var attempt = ResultJson.attempt(Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, NOON, "\"recipient\" is missing"));
        assertThat(attempt.toString()).isEqualTo("""
                {"state":"process","result":"invalid","time":"2026-11-22 12:00:05","description":"\\"recipient\\" is missing","category":"other"}""");
    }

    @Test
    void aTlsSessionGivesMessagesDsnCipherAndCertificate() throws Exception {
        var tls = new dev.ferrymta.relay.attempt.SessionFacts.Tls("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256, "CN=mx.example.org",
                "CN=Example CA", java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.Instant.parse("2027-01-01T00:00:00Z"), false);
        var attempt = ResultJson.attempt(accepted().withSession(new dev.ferrymta.relay.attempt.SessionFacts(3, true, java.util.Optional.of(tls))));
        assertThat(attempt.get("messages").intValue()).isEqualTo(3);
        assertThat(attempt.get("dsn").booleanValue()).isTrue();
        assertThat(attempt.get("cipher").toString()).isEqualTo("{\"name\":\"TLS_AES_256_GCM_SHA384\",\"version\":\"TLSv1.3\",\"bits\":256}");
        assertThat(attempt.get("certificate").toString()).isEqualTo("{\"subject\":\"CN=mx.example.org\",\"issuer\":\"CN=Example CA\","
                + "\"notbefore\":\"2026-01-01 00:00:00\",\"notafter\":\"2027-01-01 00:00:00\",\"verified\":false}");
    }

    @Test
    void aRetryKeepsTheMimeAndSetsTheNextAttempt() throws Exception {
        var retry = ResultJson.retry(message(), List.of(accepted()), NOON.plusSeconds(600));
        assertThat(retry.get("mime").asText()).startsWith("Subject: x");
        assertThat(retry.get("nextattempt").get("time").asText()).isEqualTo("2026-11-22 12:10:05");
        assertThat(retry.get("results")).hasSize(2);
    }

    /** The bytes published are those of the tree {@link ResultJson#result} builds, whatever the message holds. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"envelope\":\"a@b.test\",\"recipient\":\"c@d.test\",\"mime\":\"Subject: x\\r\\n\\r\\nbody\",\"campaign\":\"x7\"}",
            "{\"recipient\":\"c@d.test\",\"results\":[{\"state\":\"rcptto\",\"result\":\"error\"}],\"mime\":\"m\",\"tags\":[\"a\",1,null]}",
            "{\"results\":null,\"recipient\":\"c@d.test\",\"mime\":\"é ✓ \\u0000\",\"n\":{\"deep\":[1.5,true,{\"x\":-7}]}}",
            "{\"results\":\"not an array\",\"recipient\":\"c@d.test\"}",
            "{}",
    })
    void theResultBytesAreThoseOfTheResultTree(String text) throws Exception {
        var mapper = dev.ferrymta.relay.message.MessageParser.mapper();
        var message = (ObjectNode) mapper.readTree(text);
        var before = message.toString();
        for (boolean keepMime : new boolean[] {false, true}) {
            for (var attempts : List.of(List.of(accepted()), List.of(accepted(), accepted()), List.<Attempt>of())) {
                assertThat(new String(ResultJson.resultBytes(mapper, message, attempts, keepMime), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(new String(mapper.writeValueAsBytes(ResultJson.result(message, attempts, keepMime)),
                                java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThat(message.toString()).isEqualTo(before);
    }
}
