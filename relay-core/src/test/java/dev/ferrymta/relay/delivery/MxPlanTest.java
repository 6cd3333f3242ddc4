package dev.ferrymta.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.smtp.SmtpEndpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MxPlanTest {

    private static MxPlan.Candidate candidate(int n) {
        try {
            return new MxPlan.Candidate(new SmtpEndpoint("mx" + n + ".example.test", InetAddress.getByName("192.0.2." + n), 25), n);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MxPlan plan(int servers) {
        return new MxPlan(IntStream.rangeClosed(1, servers).mapToObj(MxPlanTest::candidate).toList(), List.of());
    }

    private static List<Integer> walk(MxPlan plan) {
        var walked = new ArrayList<Integer>();
        while (plan.hasNext()) {
            walked.add(plan.next().orElseThrow().hostIndex());
        }
        return walked;
    }

    @Test
    void walksTheServersInOrderEachOnce() {
        assertThat(walk(plan(3))).containsExactly(1, 2, 3);
    }

    @Test
    void triesAtMostFiveAddressesPerAttempt() {
        var twelve = plan(12);

        assertThat(walk(twelve)).containsExactly(1, 2, 3, 4, 5);
        assertThat(twelve.tried()).hasSize(5);
    }

    @Test
    void stopsAfterTwoServersThatGreetedAndRefused() {
        var plan = plan(4);
        plan.next();
        plan.sessionRefused();
        plan.next();
        plan.sessionRefused();

        assertThat(plan.hasNext()).isFalse();
        assertThat(plan.next()).isEmpty();
    }

    @Test
    void aKeptConnectionThatRefusedIsNotTriedAgainInTheSameAttempt() {
        var plan = plan(3);

        plan.alreadyTried(candidate(1).endpoint());

        assertThat(walk(plan)).containsExactly(2, 3);
        assertThat(plan.tried()).containsExactly(candidate(1).endpoint().toString(), candidate(2).endpoint().toString(),
                candidate(3).endpoint().toString());
    }

    @Test
    void saysWhichServersWereTriedAndWhatWasLeftOut() {
        var plan = new MxPlan(List.of(candidate(1), candidate(2)), List.of("mail server mx3.example.test does not exist"));
        walk(plan);

        assertThat(plan.summary()).isEqualTo("tried " + candidate(1).endpoint() + ", " + candidate(2).endpoint()
                + "; left out mail server mx3.example.test does not exist");
    }
}
