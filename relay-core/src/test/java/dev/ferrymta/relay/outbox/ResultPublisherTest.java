package dev.ferrymta.relay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import dev.ferrymta.relay.config.HostInfo;
import dev.ferrymta.relay.config.RelayConfig;
import dev.ferrymta.relay.message.MessageParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the result of a refused message goes; building the publishes needs no broker. */
class ResultPublisherTest {

    private static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");
    private static final RelayConfig CONFIG = RelayConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(
            "rabbitmq-results: results\nrabbitmq-failure: failure\nsmtp-ips: 127.0.0.2\n", "test")), RelayConfig.KEYS), HostInfo.local());
    private static final ResultPublisher PUBLISHER =
            new ResultPublisher(null, CONFIG, new DelayTiers("outbox"), Clock.fixed(NOW, ZoneOffset.UTC), null);

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            // no "queues": the configured ones
            "{\"inlinecss\": true} | results failure",
            // the message's own, as MailerQ documents "queues": a name overrides, null turns one off
            "{\"inlinecss\": true, \"queues\": {\"failure\": \"my-failures\"}} | results my-failures",
            "{\"inlinecss\": true, \"queues\": {\"results\": null, \"failure\": \"my-failures\"}} | my-failures",
            "{\"inlinecss\": true, \"queues\": {\"results\": \"\", \"failure\": null}} | ''",
            // refused for its \"queues\" themselves: the configured ones
            "{\"queues\": {\"failure\": 5}} | results failure",
            "{\"queues\": \"my-failures\"} | results failure",
            "{\"queues\": {\"failure\": \"my-failures\", \"dsn\": \"my-dsns\"}} | results failure",
    })
    void aRefusedMessagesResultGoesToTheQueuesItNamesWhenTheyAreValid(String message, String expected) throws Exception {
        var json = (ObjectNode) MessageParser.mapper().readTree(message);
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, NOW, "refused");

        var publishes = PUBLISHER.invalid(Optional.of(json), message.getBytes(StandardCharsets.UTF_8), attempt);

        assertThat(publishes).map(Publish::queue).containsExactly(expected.isEmpty() ? new String[0] : expected.split(" "));
    }

    @org.junit.jupiter.api.Test
    void aBodyThatIsNotJsonGoesToTheConfiguredQueues() {
        var attempt = Attempt.local(AttemptState.PROCESS, AttemptResult.INVALID, NOW, "not JSON");

        var publishes = PUBLISHER.invalid(Optional.empty(), "{\"queues\": {".getBytes(StandardCharsets.UTF_8), attempt);

        assertThat(publishes).map(Publish::queue).containsExactly("results", "failure");
    }
}
