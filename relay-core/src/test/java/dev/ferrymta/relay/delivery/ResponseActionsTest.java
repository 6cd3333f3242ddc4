package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.attempt.DeliveryOutcome;
import dev.ferrymta.relay.bounce.AutomaticBackOff;
import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.RecordedActions;
import dev.ferrymta.relay.bounce.ReplyMatch;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.bounce.ResponseRules;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.ThrottleLimits;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What response rules do with replies: suspensions, back-offs, changed outcomes and categories, on a controlled clock. */
class ResponseActionsTest {

    private static final Instant NOON = Instant.parse("2026-11-29T12:00:00Z");
    private static final Domain GMAIL = Domain.parse("gmail.com");
    private static final Domain YAHOO = Domain.parse("yahoo.com");
    private static final Domain OTHER = Domain.parse("example.org");
    private static final ThrottleLimits WIDE = new ThrottleLimits(10, OptionalInt.empty(), 100, Duration.ofSeconds(10));

    private final RecordedActions recorded = new RecordedActions();
    private final List<Suspension> sharedSuspensions = recorded.suspensions;
    private final List<AutomaticBackOff> sharedBackOffs = recorded.backOffs;
    private final ResponseActions actions = new ResponseActions();
    private final ResponseRules shipped = ResponseRules.shipped();

    @BeforeEach
    void share() {
        actions.shareWith(recorded);
    }

    private static DeliveryOutcome temporary(int code, String status, String text) {
        return new DeliveryOutcome.TemporaryFailure(attempt(code, status, text));
    }

    private static DeliveryOutcome permanent(int code, String status, String text) {
        return new DeliveryOutcome.PermanentFailure(attempt(code, status, text));
    }

    private static Attempt attempt(int code, String status, String text) {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOON, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.of(code), Optional.of(status), text);
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void aRateLimitSuspendsItsIpAndDomainAtOnceSharesItOnceAndEndsByItself() throws Exception {
        var lane = new LaneKey(ip("192.0.2.1"), GMAIL);
        var limited = temporary(421, "4.7.28", "unusual rate of unsolicited mail originating from your IP address");

        var made = actions.observe(shipped, lane, limited, NOON).suspension().orElseThrow();
        assertThat(made.until()).isEqualTo(NOON.plusSeconds(600));
        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON.plusSeconds(1))).isPresent();
        assertThat(actions.holding(ip("192.0.2.2"), GMAIL, NOON.plusSeconds(1))).as("another IP").isEmpty();
        assertThat(actions.holding(ip("192.0.2.1"), OTHER, NOON.plusSeconds(1))).as("another domain").isEmpty();

        // The same reply again while suspended (another lane's message in flight): not shared again.
        var again = actions.observe(shipped, lane, limited, NOON.plusSeconds(2));
        assertThat(again.rule()).isPresent();
        assertThat(again.suspension()).isEmpty();
        assertThat(sharedSuspensions).hasSize(1);

        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON.plusSeconds(600))).as("ended by itself").isEmpty();
        assertThat(actions.observe(shipped, lane, limited, NOON.plusSeconds(601)).suspension()).isPresent();
        assertThat(sharedSuspensions).hasSize(2);
    }

    @Test
    void aBlockListReplySuspendsTheIpForEveryDomain() throws Exception {
        var blocked = permanent(550, "5.7.1", "part of their network is on our block list (S3150)");

        var reaction = actions.observe(shipped, new LaneKey(ip("192.0.2.1"), Domain.parse("outlook.com")), blocked, NOON);

        assertThat(reaction.outcome()).as("the outcome is the reply's own").isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(actions.holding(ip("192.0.2.1"), OTHER, NOON.plusSeconds(60))).isPresent();
        assertThat(sharedSuspensions).singleElement().satisfies(s -> assertThat(s.domain()).isEmpty());
    }

    @Test
    void aDeferralBacksOffItsScopeCappingTheLimitsUntilItEnds() throws Exception {
        var lane = new LaneKey(ip("192.0.2.1"), YAHOO);
        var deferred = temporary(421, "4.7.0", "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume");

        var backOff = actions.observe(shipped, lane, deferred, NOON).backOff().orElseThrow();

        assertThat(backOff.until()).isEqualTo(NOON.plus(Duration.ofMinutes(30)));
        assertThat(sharedBackOffs).containsExactly(backOff);
        var capped = actions.cap(lane, WIDE, NOON.plusSeconds(60));
        assertThat(capped.maxConnections()).isEqualTo(1);
        assertThat(capped.messagesPerMinute()).hasValue(30);
        assertThat(capped.messagesPerConnection()).as("not capped").isEqualTo(100);
        assertThat(actions.cap(new LaneKey(ip("192.0.2.1"), OTHER), WIDE, NOON.plusSeconds(60))).as("another domain").isEqualTo(WIDE);
        assertThat(actions.cap(new LaneKey(ip("192.0.2.9"), YAHOO), WIDE, NOON.plusSeconds(60))).as("another IP").isEqualTo(WIDE);
        // A stricter limit already in force stays.
        var strict = new ThrottleLimits(1, OptionalInt.of(5), 100, Duration.ofSeconds(10));
        assertThat(actions.cap(lane, strict, NOON.plusSeconds(60))).isEqualTo(strict);
        // Sending goes on: nothing is suspended.
        assertThat(actions.holding(ip("192.0.2.1"), YAHOO, NOON.plusSeconds(60))).isEmpty();

        assertThat(actions.observe(shipped, lane, deferred, NOON.plusSeconds(61)).backOff()).as("in force: not again").isEmpty();
        assertThat(actions.cap(lane, WIDE, NOON.plus(Duration.ofMinutes(30)))).as("ended by itself").isEqualTo(WIDE);
        assertThat(sharedBackOffs).hasSize(1);
    }

    @Test
    void anOperatorsRuleComesFirstAndCanMakeATemporaryReplyPermanentWithItsCategory() throws Exception {
        var rule = new ResponseRule("mailbox-gone", ReplyMatch.of("4", "", "mailbox (is )?disabled"), Optional.empty(),
                ResponseRule.Action.PERMANENT, ResponseRule.Scope.IP_DOMAIN, Duration.ZERO, OptionalInt.empty(), OptionalInt.empty(),
                Optional.of(BounceCategory.INACTIVE_MAILBOX));
        var rules = shipped.before(List.of(rule));

        var reaction = actions.observe(rules, new LaneKey(ip("192.0.2.1"), OTHER), temporary(450, "4.2.1", "Mailbox disabled"), NOON);

        assertThat(reaction.outcome()).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(reaction.outcome().attempt().category()).hasValue("inactive-mailbox");
        assertThat(reaction.outcome().attempt().description()).isEqualTo("Mailbox disabled");
        assertThat(sharedSuspensions).isEmpty();
        assertThat(sharedBackOffs).isEmpty();
    }

    @Test
    void aTemporaryRuleKeepsAPermanentLookingReplyForAnotherTryOnlyForItsDomain() throws Exception {
        var rule = new ResponseRule("flaky-greylist", ReplyMatch.of("550", "", "greylist"), Optional.of(OTHER),
                ResponseRule.Action.TEMPORARY, ResponseRule.Scope.IP_DOMAIN, Duration.ZERO, OptionalInt.empty(), OptionalInt.empty(),
                Optional.empty());
        var rules = shipped.before(List.of(rule));
        var greylisted = permanent(550, "5.7.1", "greylisted, try again in 5 minutes");

        assertThat(actions.observe(rules, new LaneKey(ip("192.0.2.1"), OTHER), greylisted, NOON).outcome())
                .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        assertThat(actions.observe(rules, new LaneKey(ip("192.0.2.1"), GMAIL), greylisted, NOON).outcome())
                .as("another domain: the reply's own").isSameAs(greylisted);
    }

    @Test
    void otherRefusalsAndDeliveriesDoNothing() throws Exception {
        var lane = new LaneKey(ip("192.0.2.1"), GMAIL);
        var unknown = permanent(550, "5.1.1", "does not exist");
        assertThat(actions.observe(shipped, lane, unknown, NOON).outcome()).isSameAs(unknown);
        var delivered = new DeliveryOutcome.Delivered(new Attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, NOON, Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalInt.of(250), Optional.empty(), "ok: unusual rate of unsolicited mail"));
        assertThat(actions.observe(shipped, lane, delivered, NOON).rule()).isEmpty();
        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON)).isEmpty();
        assertThat(actions.cap(lane, WIDE, NOON)).isEqualTo(WIDE);
        assertThat(sharedSuspensions).isEmpty();
        assertThat(sharedBackOffs).isEmpty();
    }

    @Test
    void onceTheSharedSettingsHoldTheActionThisInstancesCopyIsDroppedSoLiftingItThereLiftsItHere() throws Exception {
        recorded.held(true);
        var lane = new LaneKey(ip("192.0.2.1"), GMAIL);
        actions.observe(shipped, lane, temporary(421, "4.7.28", "unusual rate of unsolicited mail"), NOON);
        actions.observe(shipped, new LaneKey(ip("192.0.2.1"), YAHOO), temporary(421, "4.7.0", "[TSS04] deferred"), NOON);

        assertThat(sharedSuspensions).hasSize(1);
        assertThat(sharedBackOffs).hasSize(1);
        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON.plusSeconds(1))).as("the shared pause decides").isEmpty();
        assertThat(actions.cap(new LaneKey(ip("192.0.2.1"), YAHOO), WIDE, NOON.plusSeconds(1))).as("the shared back-off decides")
                .isEqualTo(WIDE);
    }

    @Test
    void aProviderScopedRuleHoldsEveryDomainOfTheProviderFromThatIp() throws Exception {
        var rule = new ResponseRule("google-wide", ReplyMatch.of("421", "4.7.28", ""), Optional.empty(), ResponseRule.Action.SUSPEND,
                ResponseRule.Scope.IP_PROVIDER, Duration.ofMinutes(10), OptionalInt.empty(), OptionalInt.empty(), Optional.empty(),
                Optional.of("google"));
        var rules = shipped.before(List.of(rule));
        var ip = ip("192.0.2.1");
        var google = Optional.of("google");

        var made = actions.observe(rules, new LaneKey(ip, GMAIL), google, temporary(421, "4.7.28", "unusual rate"), NOON)
                .suspension().orElseThrow();

        assertThat(made.provider()).isEqualTo(google);
        assertThat(made.domain()).isEmpty();
        assertThat(actions.holding(ip, Domain.parse("workspace.example"), google, NOON.plusSeconds(1))).isPresent();
        assertThat(actions.holding(ip, YAHOO, Optional.of("yahoo"), NOON.plusSeconds(1))).isEmpty();
        assertThat(actions.holding(ip("192.0.2.2"), GMAIL, google, NOON.plusSeconds(1))).isEmpty();
        // Limited to google: the same reply for a domain of another provider is the shipped rule's.
        var other = actions.observe(rules, new LaneKey(ip("192.0.2.3"), OTHER), Optional.empty(), temporary(421, "4.7.28",
                "unusual rate of unsolicited mail"), NOON);
        assertThat(other.rule().orElseThrow().name()).isEqualTo("google-rate-limit");
    }

    @Test
    void aProviderScopeForADomainOfNoKnownProviderHoldsThatDomainOnly() throws Exception {
        var rule = new ResponseRule("wide", ReplyMatch.of("421", "", "slow"), Optional.empty(), ResponseRule.Action.SUSPEND,
                ResponseRule.Scope.IP_PROVIDER, Duration.ofMinutes(10), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
        var made = actions.observe(ResponseRules.none().before(List.of(rule)), new LaneKey(ip("192.0.2.1"), OTHER), Optional.empty(),
                temporary(421, "4.7.0", "slow down"), NOON).suspension().orElseThrow();
        assertThat(made.domain()).contains(OTHER);
        assertThat(made.provider()).isEmpty();
    }
}
