package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.bounce.ResponseRules;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Suspensions made by response rules, on a controlled clock. */
class ResponseActionsTest {

    private static final Instant NOON = Instant.parse("2026-11-29T12:00:00Z");
    private static final Domain GMAIL = Domain.parse("gmail.com");
    private static final Domain OTHER = Domain.parse("example.org");

    private final List<Suspension> shared = new ArrayList<>();
    private final ResponseActions actions = new ResponseActions(ResponseRules.shipped());

    private static Attempt reply(int code, String status, String text) {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOON, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.of(code), Optional.of(status), text);
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void aRateLimitSuspendsItsIpAndDomainAtOnceSharesItOnceAndEndsByItself() throws Exception {
        actions.shareWith(shared::add);
        var lane = new LaneKey(ip("192.0.2.1"), GMAIL);
        var limited = reply(421, "4.7.28", "unusual rate of unsolicited mail originating from your IP address");

        var made = actions.observe(lane, limited, NOON).orElseThrow();
        assertThat(made.until()).isEqualTo(NOON.plusSeconds(600));
        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON.plusSeconds(1))).isPresent();
        assertThat(actions.holding(ip("192.0.2.2"), GMAIL, NOON.plusSeconds(1))).as("another IP").isEmpty();
        assertThat(actions.holding(ip("192.0.2.1"), OTHER, NOON.plusSeconds(1))).as("another domain").isEmpty();

        // The same reply again while suspended (another lane's message in flight): not shared again.
        assertThat(actions.observe(lane, limited, NOON.plusSeconds(2))).isEmpty();
        assertThat(shared).hasSize(1);

        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON.plusSeconds(600))).as("ended by itself").isEmpty();
        assertThat(actions.observe(lane, limited, NOON.plusSeconds(601))).isPresent();
        assertThat(shared).hasSize(2);
    }

    @Test
    void aBlockListReplySuspendsTheIpForEveryDomain() throws Exception {
        actions.shareWith(shared::add);
        var blocked = reply(550, "5.7.1", "part of their network is on our block list (S3150)");

        actions.observe(new LaneKey(ip("192.0.2.1"), Domain.parse("outlook.com")), blocked, NOON);

        assertThat(actions.holding(ip("192.0.2.1"), OTHER, NOON.plusSeconds(60))).isPresent();
        assertThat(shared).singleElement().satisfies(s -> assertThat(s.domain()).isEmpty());
    }

    @Test
    void otherRefusalsSuspendNothing() throws Exception {
        actions.shareWith(shared::add);
        assertThat(actions.observe(new LaneKey(ip("192.0.2.1"), GMAIL), reply(550, "5.1.1", "does not exist"), NOON)).isEmpty();
        assertThat(actions.holding(ip("192.0.2.1"), GMAIL, NOON)).isEmpty();
        assertThat(shared).isEmpty();
    }
}
