package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;

/**
 * Every property of MailerQ's outbox message format (MailerQ's "JSON specification" of its
 * documentation, 5.x), and what Ferry does with it: each is either implemented as MailerQ documents
 * it, or refused. A refused property in use makes the message a {@code process}/{@code invalid}
 * failure whose description names it; nothing is silently ignored. Keys that are not MailerQ
 * properties pass through to the results unchanged. README.md's table "MailerQ message properties"
 * lists the same rows (a test checks that they agree).
 */
public enum MailerQProperty {

    ENVELOPE("the envelope sender (MAIL FROM); missing, empty or \"<>\": the null sender", null),
    RECIPIENT("the recipient (RCPT TO)", null),
    MIME("the message as MIME text", "\"mime\" as an object (MailerQ's responsive-email JSON) is not supported by Ferry: send the MIME text"),
    KEY("the key of the MIME in an external message store",
            "\"key\" is not supported by Ferry: Ferry has no message store; send the MIME in \"mime\""),
    KEEPMIME("keep the MIME in the results; true, 1, \"1\", \"true\", \"yes\" count as true", null),
    DATA("personalisation data for the subject and body",
            "\"data\" (personalisation) is not supported by Ferry: personalise the MIME before publishing it"),
    IPS("source IPs to send from; an empty array fails the message", null),
    POOL("an IP pool to send from when no ips are given", null),
    NEXTATTEMPT("{\"time\": ...}: not before this time (UTC)", null),
    DELAYED("MailerQ's older name for a send time: not before this time (UTC)", null),
    MAXDELIVERTIME("give up after this time (UTC)", null),
    MAXATTEMPTS("give up after this many attempts", null),
    RETRIES("seconds between attempts, the last repeating", null),
    FORCE("deliver even when errors occur or conversion is impossible",
            "\"force\" is not supported by Ferry: a message that cannot be sent as the server needs it fails with the reason"),
    INLINECSS("turn style blocks of HTML into inline style attributes",
            "\"inlinecss\" is not supported by Ferry: inline the CSS before publishing the message"),
    DKIM("keys to sign the message with, besides the stored ones", null),
    DSN("RFC 3461 notify, ret, envid, orcpt, sent when the server offers DSN (the attempt's dsn says whether it did)", null),
    QUEUES("per-message result queues (results, success, failure, retry)", null),
    SMARTHOST("send through this SMTP server instead of the recipient's MX, with SMTP AUTH (PLAIN or LOGIN) over TLS", null),
    TAGS("labels for the message, kept in the results; a pause may hold only the messages carrying one", null),
    HEADERS("header edits: remove, prepend, append (add), replace, update; made before DKIM signing", null),
    PRIORITY("a whole number from 0 to 255: the message's AMQP priority when Ferry publishes it again (retries, delays, forwards), for a priority outbox (rabbitmq-maxpriority)", null),
    SECURITY("what is asked of TLS: none, opportunistic, required, verified", null),
    RESULTS("the earlier attempts, written by Ferry (and MailerQ) on each retry", null);

    private final String meaning;
    private final String refusal;
    private final String key;

    MailerQProperty(String meaning, String refusal) {
        this.meaning = meaning;
        this.refusal = refusal;
        this.key = name().toLowerCase(Locale.ROOT);
    }

    /** The property's name in the JSON. */
    public String key() {
        return key;
    }

    /** What it means, in a few words. */
    public String meaning() {
        return meaning;
    }

    /**
     * Whether Ferry implements the property. {@code mime} is implemented as text and refused as
     * an object; every other property is wholly one or the other.
     */
    public boolean implemented() {
        return refusal == null || this == MIME;
    }

    /**
     * Why a message using the property as given is refused, or empty when Ferry does what it asks.
     * A refused property given as null, false, 0, "" or an empty object or array asks for nothing
     * and is let through.
     */
    public Optional<String> refusal(JsonNode value) {
        if (refusal == null || value == null || asksNothing(value)) {
            return Optional.empty();
        }
        if (this == MIME) {
            return value.isObject() ? Optional.of(refusal) : Optional.empty();
        }
        return Optional.of(refusal);
    }

    private static boolean asksNothing(JsonNode value) {
        return value.isNull() || (value.isBoolean() && !value.booleanValue()) || (value.isNumber() && value.doubleValue() == 0)
                || (value.isTextual() && value.textValue().isBlank()) || (value.isContainerNode() && value.isEmpty());
    }
}
