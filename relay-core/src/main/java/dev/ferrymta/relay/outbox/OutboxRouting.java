package dev.ferrymta.relay.outbox;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.delivery.IpChoice;
import dev.ferrymta.relay.delivery.LaneKey;
import dev.ferrymta.relay.delivery.SourceIpSelector;
import dev.ferrymta.relay.message.OutboxMessage;
import dev.ferrymta.relay.message.ParsedMessage;
import dev.ferrymta.relay.settings.Settings;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The routing decision for an outbox message: a pure function of the message, its size, the
 * settings snapshot, the time and a round-robin turn (docs/ARCHITECTURE.md, "Decide, then act").
 * In order: invalid; larger than the limit; past its {@code maxdelivertime}; back before its
 * {@code nextattempt}; no source IP; owned by another instance; else the lane of a source IP owned
 * here (round robin over the candidates, skipping those paused for the domain when one is not).
 *
 * @param selector       picks the candidate source IPs
 * @param maxMessageSize {@code max-message-bytes}: larger outbox messages are refused, in bytes
 */
public record OutboxRouting(SourceIpSelector selector, long maxMessageSize) {

    /** A message back this much before its next attempt is close enough. */
    static final Duration EARLY = Duration.ofMillis(500);

    /**
     * @param brokerLimit the broker's {@code max_message_size} once known ({@link Long#MAX_VALUE} before)
     * @param turn        a number that grows by one per message, for the round robin
     */
    public Routing decide(ParsedMessage parsed, long size, long brokerLimit, Settings settings, Instant now, int turn) {
        OutboxMessage message;
        switch (parsed) {
            case ParsedMessage.Invalid invalid -> {
                return new Routing.Invalid(invalid);
            }
            case ParsedMessage.Valid valid -> message = valid.message();
        }
        long limit = Math.min(maxMessageSize, brokerLimit);
        if (size > limit) {
            return new Routing.GiveUp(message, AttemptResult.INVALID, "the message is " + size + " bytes, more than "
                    + (limit == maxMessageSize ? "max-message-bytes (" + limit + " bytes)" : "the broker takes (" + limit + " bytes)"));
        }
        if (message.maxDeliverTime().isPresent() && now.isAfter(message.maxDeliverTime().get())) {
            return new Routing.GiveUp(message, AttemptResult.TIMEOUT, "its maxdelivertime "
                    + ResultJson.time(message.maxDeliverTime().get()) + " passed before it could be tried again");
        }
        if (message.nextAttempt().isPresent() && message.nextAttempt().get().isAfter(now.plus(EARLY))) {
            // Back from a delay queue before its time (waits longer than a tier take several trips).
            return new Routing.Defer(message, message.nextAttempt().get(), "its nextattempt is later");
        }
        return switch (selector.choose(message, settings)) {
            case IpChoice.None none -> new Routing.Retry(message, Attempt.local(AttemptState.PROCESS, AttemptResult.ERROR, now,
                    "no source IP: " + none.reason()));
            case IpChoice.Remote remote -> new Routing.Forward(message, remote.ips());
            case IpChoice.Local local -> new Routing.DeliverHere(message,
                    new LaneKey(pick(local.ips(), message, settings, now, turn), message.recipient().domain(), message.smarthost()));
        };
    }

    /** Round robin over the candidates, skipping those paused for this domain when another is not. */
    private static InetAddress pick(List<InetAddress> ips, OutboxMessage message, Settings settings, Instant now, int turn) {
        int start = Math.floorMod(turn, ips.size());
        for (int i = 0; i < ips.size(); i++) {
            var ip = ips.get((start + i) % ips.size());
            if (settings.pauseFor(ip, message.recipient().domain(), now).isEmpty()) {
                return ip;
            }
        }
        return ips.get(start);
    }
}
