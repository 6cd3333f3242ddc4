package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DelayTiersTest {

    private final DelayTiers tiers = new DelayTiers("outbox");

    @ParameterizedTest(name = "a wait of {0}s goes to {1}")
    @CsvSource({
            "0, outbox.delay.1",
            "1, outbox.delay.1",
            "4, outbox.delay.1",
            "5, outbox.delay.5",
            "59, outbox.delay.15",
            "600, outbox.delay.300",
            "3600, outbox.delay.3600",
            "86400, outbox.delay.14400",
            "-30, outbox.delay.1"})
    void picksTheLongestTierNotLongerThanTheWait(long seconds, String queue) {
        assertThat(tiers.queue(tiers.tierFor(Duration.ofSeconds(seconds)))).isEqualTo(queue);
    }
}
