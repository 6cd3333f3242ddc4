package dev.ferrymta.relay.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.mail.MailAddress;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageParserTest {

    private static ParsedMessage parse(String json) {
        return MessageParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static OutboxMessage valid(String json) {
        var parsed = parse(json);
        assertThat(parsed).isInstanceOf(ParsedMessage.Valid.class);
        return ((ParsedMessage.Valid) parsed).message();
    }

    @Test
    void readsEveryKnownField() throws Exception {
        var message = valid("""
                {"envelope": "news@example.com", "recipient": "Someone@Example.ORG", "mime": "Subject: hi\\r\\n\\r\\nhello",
                 "ips": ["127.0.0.2", "127.0.0.3"], "pool": "bulk", "maxdelivertime": "2026-11-23 10:00:00",
                 "maxattempts": 5, "retries": [60, 300], "nextattempt": {"time": "2026-11-22 12:00:00"},
                 "queues": {"results": "my-results", "success": null}, "security": "required",
                 "keepmime": true, "results": [{"state": "connect"}], "tags": ["a"], "customer": 42}""");

        assertThat(message.envelope()).contains(MailAddress.parse("news@example.com"));
        assertThat(message.recipient()).isEqualTo(MailAddress.parse("Someone@example.org"));
        assertThat(message.mime()).isEqualTo("Subject: hi\r\n\r\nhello");
        assertThat(message.ips()).containsExactly(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"));
        assertThat(message.pool()).contains("bulk");
        assertThat(message.maxDeliverTime()).contains(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(message.maxAttempts()).hasValue(5);
        assertThat(message.retries()).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(300));
        assertThat(message.nextAttempt()).contains(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(message.queues().results().resolve(Optional.of("results"))).contains("my-results");
        assertThat(message.queues().success().resolve(Optional.of("success"))).isEmpty();
        assertThat(message.queues().failure().resolve(Optional.of("failure"))).contains("failure");
        assertThat(message.security()).isEqualTo(Security.REQUIRED);
        assertThat(message.keepMime()).isTrue();
        assertThat(message.attempts()).isEqualTo(1);
    }

    @Test
    void keepsUnknownKeysForTheResults() {
        var message = valid("""
                {"envelope": "a@example.com", "recipient": "b@example.org", "mime": "x", "customer": {"id": 42}}""");

        assertThat(message.json().get("customer").get("id").intValue()).isEqualTo(42);
    }

    @Test
    void theEmptyEnvelopeIsTheNullSender() {
        assertThat(valid("{\"envelope\": \"\", \"recipient\": \"b@example.org\", \"mime\": \"x\"}").envelope()).isEmpty();
        assertThat(valid("{\"envelope\": \"<>\", \"recipient\": \"b@example.org\", \"mime\": \"x\"}").envelope()).isEmpty();
    }

    @Test
    void withoutAnEnvelopeTheMessageGoesWithTheNullSender() {
        // MailerQ: "the envelope property is not even required ... MAIL FROM:<>".
        assertThat(valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\"}").envelope()).isEmpty();
        assertThat(valid("{\"envelope\": null, \"recipient\": \"b@example.org\", \"mime\": \"x\"}").envelope()).isEmpty();
    }

    @ParameterizedTest(name = "keepmime {0} is {1}")
    @CsvSource({"true, true", "1, true", "'\"1\"', true", "'\"true\"', true", "'\"yes\"', true", "2, true",
            "false, false", "0, false", "'\"0\"', false", "'\"\"', false", "'\"no\"', false", "null, false"})
    void takesKeepmimeAsMailerqDoes(String value, boolean kept) {
        assertThat(valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\", \"keepmime\": " + value + "}").keepMime())
                .isEqualTo(kept);
    }

    @Test
    void delayedIsASendTimeAndTheLaterOfItAndNextattemptCounts() {
        assertThat(valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\", \"delayed\": \"2026-12-01 10:00:00\"}").nextAttempt())
                .contains(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\", \"delayed\": \"2026-12-01 10:00:00\", "
                + "\"nextattempt\": {\"time\": \"2026-12-02 10:00:00\"}}").nextAttempt()).contains(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\", \"delayed\": \"2026-12-03 10:00:00\", "
                + "\"nextattempt\": {\"time\": \"2026-12-02 10:00:00\"}}").nextAttempt()).contains(Instant.parse("2026-12-03T10:00:00Z"));
    }

    @Test
    void aRefusedPropertyThatAsksNothingPasses() {
        var message = valid("{\"recipient\": \"b@example.org\", \"mime\": \"x\", \"inlinecss\": false, \"force\": 0, "
                + "\"data\": {}, \"key\": \"\", \"smarthost\": null, \"priority\": 0, \"tags\": [\"spring\", \"news\"]}");
        assertThat(message.tags()).containsExactly("spring", "news");
    }

    @Test
    void headerEditsAreMadeOnTheMime() {
        var message = valid("{\"recipient\": \"b@example.org\", \"mime\": \"X-Remove-Me: 1\\r\\nSubject: hi\\r\\n\\r\\nbody\", "
                + "\"headers\": {\"remove\": [\"x-remove-me\"], \"prepend\": {\"X-Added\": \"yes\"}}}");
        assertThat(message.mime()).isEqualTo("X-Added: yes\r\nSubject: hi\r\n\r\nbody");
        assertThat(message.json().get("mime").textValue()).startsWith("X-Remove-Me");
    }

    @Test
    void defaultsToOpportunisticTlsAndTheConfiguredQueues() {
        var message = valid("{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\"}");

        assertThat(message.security()).isEqualTo(Security.OPPORTUNISTIC);
        assertThat(message.queues()).isEqualTo(QueueOverrides.NONE);
        assertThat(message.ips()).isEmpty();
        assertThat(message.attempts()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not json at all                                                  | the message is not valid JSON",
            "[1, 2]                                                           | the message is not a JSON object",
            "{\"envelope\": \"a@example.com\", \"mime\": \"x\"}               | \"recipient\" is missing",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\"} | \"mime\" is missing",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"nobody\", \"mime\": \"x\"} | \"recipient\" is not a valid address local@domain: 'nobody'",
            "{\"envelope\": \"a@example.com\", \"recipient\": 7, \"mime\": \"x\"} | \"recipient\" must be a string, not a number",
            "{\"envelope\": \"a@\", \"recipient\": \"b@example.org\", \"mime\": \"x\"} | \"envelope\" is not a valid address",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"ips\": [\"mail.example.com\"]} | \"ips\": 'mail.example.com' is not an IP address",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"ips\": 5} | \"ips\" must be an array",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"maxdelivertime\": \"tomorrow\"} | \"maxdelivertime\" is not a time of the form",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"maxattempts\": 0} | \"maxattempts\" must be a whole number of at least 1",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"maxattempts\": 2.5} | \"maxattempts\" must be a whole number",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"retries\": [60, -1]} | \"retries\" must hold whole numbers",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"nextattempt\": \"soon\"} | \"nextattempt\" must be an object",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"queues\": {\"results\": 3}} | \"queues.results\" must be a queue name or null",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"security\": \"maybe\"} | \"security\" must be one of none, opportunistic, required, verified",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"keepmime\": \"maybe\"} | \"keepmime\" must be true or false",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"ips\": []} | \"ips\" is an empty array",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"delayed\": \"in a while\"} | \"delayed\" is not a time of the form",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"tags\": [1]} | \"tags\" must hold strings",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"queues\": {\"dsn\": \"bounces\"}} | \"queues.dsn\" is not supported by Ferry",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"inlinecss\": true} | \"inlinecss\" is not supported by Ferry",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": {\"from\": \"a@example.com\"}} | \"mime\" as an object",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"key\": \"store-key-1\"} | \"key\" is not supported by Ferry",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"data\": {\"name\": \"Ann\"}} | \"data\" (personalisation) is not supported by Ferry",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"smarthost\": {\"hostname\": \"relay.example\", \"port\": 70000}} | \"smarthost.port\" must be a port number from 1 to 65535",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"smarthost\": {\"hostname\": \"relay.example\", \"username\": \"u\"}} | \"smarthost.password\" is missing",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"smarthost\": {\"port\": 25}} | \"smarthost.hostname\" is missing",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"smarthost\": {\"hostname\": \"relay.example\", \"tls\": 1}} | \"smarthost.tls\" is not a smarthost setting",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"force\": 1} | \"force\" is not supported by Ferry",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"priority\": 300} | \"priority\" must be a whole number from 0 to 255",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"priority\": \"high\"} | \"priority\" must be a whole number from 0 to 255",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"dsn\": {\"ret\": \"ALL\"}} | \"dsn.ret\" must be FULL or HDRS",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"headers\": {\"prepend\": {\"X\": 1}}} | \"headers.prepend.X\" must be a string",
            "{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"results\": {}} | \"results\" must be an array",
    })
    void refusesAnInvalidMessageNamingTheField(String json, String description) {
        assertThat(parse(json)).isInstanceOfSatisfying(ParsedMessage.Invalid.class,
                invalid -> assertThat(invalid.description()).startsWith(description));
    }

    @Test
    void keepsTheJsonOfAnInvalidMessageForItsResult() {
        assertThat(parse("{\"envelope\": \"a@example.com\", \"recipient\": \"nobody\", \"mime\": \"x\", \"id\": 9}"))
                .isInstanceOfSatisfying(ParsedMessage.Invalid.class,
                        invalid -> assertThat(invalid.json()).hasValueSatisfying(json -> assertThat(json.get("id").intValue()).isEqualTo(9)));
    }

    @Test
    void boundsAHostileValueInTheDescription() {
        var huge = "x".repeat(100_000);
        var parsed = parse("{\"envelope\": \"a@example.com\", \"recipient\": \"" + huge + "\", \"mime\": \"x\"}");

        assertThat(parsed).isInstanceOfSatisfying(ParsedMessage.Invalid.class,
                invalid -> assertThat(invalid.description()).hasSizeLessThan(200));
    }

    @Test
    void refusesDeeplyNestedJson() {
        var deep = "[".repeat(500) + "]".repeat(500);

        assertThat(parse("{\"envelope\": \"a@example.com\", \"recipient\": \"b@example.org\", \"mime\": \"x\", \"tags\": " + deep + "}"))
                .isInstanceOf(ParsedMessage.Invalid.class);
    }
}
