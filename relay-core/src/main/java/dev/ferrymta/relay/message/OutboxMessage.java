package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.dkim.SigningKey;
import dev.ferrymta.relay.mail.MailAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A valid outbox message: the fields delivery needs, typed, plus the JSON as it came, so that
 * results carry every key, known or not, unchanged.
 *
 * @param json           the message as received (never modified; copy before changing)
 * @param envelope       the envelope sender; empty for the null sender {@code <>} (bounces)
 * @param recipient      the one recipient
 * @param mime           the full message, headers and body, with the {@code "headers"} edits made
 * @param ips            {@code "ips"}: source IPs to send from, in order of preference
 * @param pool           {@code "pool"}: an IP pool to send from, when no ips are given
 * @param maxDeliverTime {@code "maxdelivertime"}: give up after this moment
 * @param maxAttempts    {@code "maxattempts"}: give up after this many attempts
 * @param retries        {@code "retries"}: seconds between attempts, the last one repeating
 * @param nextAttempt    {@code "nextattempt"} (or MailerQ's older {@code "delayed"}, the later of both): not before this moment
 * @param queues         {@code "queues"}: per-message result queues
 * @param security       {@code "security"}: what is asked of TLS
 * @param keepMime       {@code "keepmime"}: keep the MIME in the results
 * @param attempts       how many attempts the {@code "results"} array already records
 * @param dkim           {@code "dkim"}: keys the message brings to be signed with (MailerQ's property)
 * @param dsn            {@code "dsn"}: RFC 3461 parameters to send when the server offers DSN
 * @param tags           {@code "tags"}: the message's labels
 * @param priority       {@code "priority"}: 0 to 255, the AMQP priority of the message's republished copies
 * @param smarthost      {@code "smarthost"}: the server to send through instead of the MX hosts
 */
public record OutboxMessage(ObjectNode json, Optional<MailAddress> envelope, MailAddress recipient, String mime,
        List<InetAddress> ips, Optional<String> pool, Optional<Instant> maxDeliverTime, OptionalInt maxAttempts,
        List<Duration> retries, Optional<Instant> nextAttempt, QueueOverrides queues, Security security,
        boolean keepMime, int attempts, List<SigningKey> dkim, DsnRequest dsn, List<String> tags, int priority,
        Optional<Smarthost> smarthost) {

    public OutboxMessage {
        tags = List.copyOf(tags);
        ips = List.copyOf(ips);
        retries = List.copyOf(retries);
        dkim = List.copyOf(dkim);
    }
}
