package dev.ferrymta.relay.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped response rules fire on the providers' documented rate-limit and block replies, and on nothing else. */
class ResponseRulesTest {

    private static Attempt reply(int code, String status, String text) {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, Instant.parse("2026-11-29T12:00:00Z"), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalInt.of(code), status == null || status.isEmpty() ? Optional.empty() : Optional.of(status), text);
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "421 | 4.7.28 | [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. | google-rate-limit | ip+domain | 10",
            "421 | 4.7.0  | Try again later, closing connection. (EHLO) | google-try-later | ip+domain | 5",
            "421 | 4.7.0  | [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints | yahoo-deferred | ip+domain | 15",
            "451 | 4.7.500 | Server busy. Please try again later from [192.0.2.1]. (S77714) | microsoft-busy | ip+domain | 10",
            "550 | 5.7.1  | Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). | microsoft-block-list | ip | 60",
            "421 |        | resimta-po-12v.sys.comcast.net too many sessions from 192.0.2.1, see http://postmaster.comcast.net/smtp-error-codes.php#RL000001 | comcast-rate-limit | ip+domain | 10",
    })
    void aDocumentedRateLimitOrBlockFiresItsRule(int code, String status, String text, String rule, String scope, int minutes) {
        var fired = ResponseRules.shipped().match(reply(code, status, text)).orElseThrow();
        assertThat(fired.name()).isEqualTo(rule);
        assertThat(fired.scope().text()).isEqualTo(scope);
        assertThat(fired.duration()).isEqualTo(Duration.ofMinutes(minutes));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "550 | 5.1.1 | The email account that you tried to reach does not exist.",
            "452 | 4.2.2 | The email account that you tried to reach is over quota.",
            "550 | 5.7.28 | Our system has detected an unusual rate of unsolicited mail originating from your IP address. ... has been blocked.",
            "451 | 4.3.0 | Temporary local problem",
    })
    void otherRepliesFireNothing(int code, String status, String text) {
        assertThat(ResponseRules.shipped().match(reply(code, status, text))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "r\t4\t\tx\tip+domain\t0\ts       | line 1: minutes: '0' is not a whole number from 1 to 10080",
            "r\t4\t\tx\tprovider\t5\ts        | line 1: scope: 'provider' is neither ip nor ip+domain",
            "r\t4\t\t(x\tip\t5\ts              | line 1: text: not a valid regular expression",
            "r\t4\tx                           | line 1: expected 7 tab-separated fields",
    })
    void aBadRuleIsRefusedNamingTheLineAndThePart(String line, String error) {
        assertThatThrownBy(() -> ResponseRules.parse(List.of(line.replace("\\t", "\t").stripTrailing()), "rules"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rules " + error);
    }

    @org.junit.jupiter.api.Test
    void aRuleWithoutANameIsRefused() {
        assertThatThrownBy(() -> ResponseRules.parse(List.of("\t4\t\tx\tip\t5\ts"), "rules"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rules line 1: name: 1 to 100 characters");
    }
}
