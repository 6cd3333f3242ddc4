package dev.ferrymta.relay.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped response rules fire on the providers' documented rate-limit and block replies, and on nothing else. */
class ResponseRulesTest {

    private static Attempt reply(int code, String status, String text) {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, Instant.parse("2026-11-29T12:00:00Z"), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalInt.of(code), status == null || status.isEmpty() ? Optional.empty() : Optional.of(status), text);
    }

    private static final Domain ANY = Domain.parse("example.net");

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "421 | 4.7.28 | [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. | google-rate-limit | suspend ip+domain 10 min",
            "421 | 4.7.0  | Try again later, closing connection. (EHLO) | google-try-later | backoff ip+domain 15 min to 60/min, 2 connections",
            "421 | 4.7.0  | [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints | yahoo-deferred | backoff ip+domain 30 min to 30/min, 1 connection",
            "451 | 4.7.500 | Server busy. Please try again later from [192.0.2.1]. (S77714) | microsoft-busy | backoff ip+domain 15 min to 60/min, 2 connections",
            "550 | 5.7.1  | Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). | microsoft-block-list | suspend ip 60 min",
            "421 |        | resimta-po-12v.sys.comcast.net too many sessions from 192.0.2.1, see http://postmaster.comcast.net/smtp-error-codes.php#RL000001 | comcast-rate-limit | backoff ip+domain 15 min to 1 connection",
    })
    void aDocumentedRateLimitOrBlockFiresItsRule(int code, String status, String text, String rule, String does) {
        var fired = ResponseRules.shipped().match(reply(code, status, text), ANY).orElseThrow();
        assertThat(fired.name()).isEqualTo(rule);
        assertThat(fired.describe()).isEqualTo(does);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "550 | 5.1.1 | The email account that you tried to reach does not exist.",
            "452 | 4.2.2 | The email account that you tried to reach is over quota.",
            "550 | 5.7.28 | Our system has detected an unusual rate of unsolicited mail originating from your IP address. ... has been blocked.",
            "451 | 4.3.0 | Temporary local problem",
    })
    void otherRepliesFireNothing(int code, String status, String text) {
        assertThat(ResponseRules.shipped().match(reply(code, status, text), ANY)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "r\t4\t\tx\tsuspend\tip+domain\t0\t-\t-\ts   | line 1: minutes: a suspend lasts from 1 to 10080 minutes",
            "r\t4\t\tx\tsuspend\tprovider\t5\t-\t-\ts  | line 1: scope: 'provider' is none of ip+domain, ip+provider, ip",
            "r\t4\t\t(x\tsuspend\tip\t5\t-\t-\ts       | line 1: text: not a valid regular expression",
            "r\t4\t\tx\tslow\tip\t5\t-\t-\ts          | line 1: action: 'slow' is none of suspend, backoff",
            "r\t4\t\tx\tbackoff\tip\t5\t-\t-\ts       | line 1: messagesPerMinute: a backoff caps messages per minute, connections or both",
            "r\t4\t\tx\tbackoff\tip\t5\tmany\t-\ts    | line 1: per-minute: 'many' is not a whole number",
            "r\t4\tx                                      | line 1: expected 10 tab-separated fields",
    })
    void aBadRuleIsRefusedNamingTheLineAndThePart(String line, String error) {
        assertThatThrownBy(() -> ResponseRules.parse(List.of(line.replace("\\t", "\t").stripTrailing()), "rules"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rules " + error);
    }

    @Test
    void aRuleWithoutANameIsRefused() {
        assertThatThrownBy(() -> ResponseRules.parse(List.of("\t4\t\tx\tsuspend\tip\t5\t-\t-\ts"), "rules"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rules line 1: name: 1 to 100 characters");
    }

    @Test
    void theOperatorsRulesComeFirstAndARuleLimitedToADomainFiresOnlyForIt() {
        var mine = new ResponseRule("gmail-slow", ReplyMatch.of("421", "", ""), Optional.of(Domain.parse("gmail.com")),
                ResponseRule.Action.BACKOFF, ResponseRule.Scope.IP_DOMAIN, Duration.ofMinutes(5), OptionalInt.of(10), OptionalInt.empty(),
                Optional.of(BounceCategory.RATE_LIMIT));
        var rules = ResponseRules.shipped().before(List.of(mine));
        var limited = reply(421, "4.7.28", "unusual rate of unsolicited mail");
        assertThat(rules.match(limited, Domain.parse("gmail.com"))).contains(mine);
        assertThat(rules.match(limited, Domain.parse("example.org"))).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("google-rate-limit"));
    }

    @Test
    void anAcceptedAttemptOrOneWithoutAReplyFiresNothing() {
        var catchAll = ResponseRules.none().before(List.of(new ResponseRule("all", ReplyMatch.of("", "", "."), Optional.empty(),
                ResponseRule.Action.CLASSIFY, ResponseRule.Scope.IP, Duration.ZERO, OptionalInt.empty(), OptionalInt.empty(),
                Optional.of(BounceCategory.OTHER))));
        var accepted = new Attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, Instant.EPOCH, Optional.empty(), Optional.empty(),
                Optional.empty(), OptionalInt.of(250), Optional.empty(), "ok");
        assertThat(catchAll.match(accepted, ANY)).isEmpty();
        assertThat(catchAll.match(Attempt.local(AttemptState.CONNECT, AttemptResult.ERROR, Instant.EPOCH, "refused"), ANY)).isEmpty();
        assertThat(catchAll.match(reply(550, "5.1.1", "no"), ANY)).isPresent();
    }
}
