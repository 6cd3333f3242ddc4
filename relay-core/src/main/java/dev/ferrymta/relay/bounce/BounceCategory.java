package dev.ferrymta.relay.bounce;

import java.util.Locale;
import java.util.Optional;

/**
 * What a failed or deferred attempt means for the sender, in the vocabulary bulk senders use
 * (PowerMTA's and KumoMTA's bounce classes are of this kind). The name in results is the lower-case
 * name with dashes: {@code bad-mailbox}.
 */
public enum BounceCategory {
    /** The mailbox does not exist (RFC 3463 X.1.1 and the like). */
    BAD_MAILBOX,
    /** The domain does not exist or takes no mail (X.1.2, null MX). */
    BAD_DOMAIN,
    /** The mailbox exists but is disabled or closed (X.2.1). */
    INACTIVE_MAILBOX,
    /** The mailbox is over quota (X.2.2). */
    MAILBOX_FULL,
    /** The message is larger than the server takes (X.3.4, X.2.3). */
    MESSAGE_TOO_LARGE,
    /** Refused by the receiver's local policy, not for a reason given more precisely. */
    POLICY,
    /** Refused as spam, for what the message holds or looks like. */
    SPAM,
    /** The sending IP or domain is listed or has a poor reputation. */
    REPUTATION,
    /** Too much, too fast: deferred until the sender slows down. */
    RATE_LIMIT,
    /** SPF, DKIM or DMARC failed or is missing. */
    AUTHENTICATION,
    /** The content is refused: a virus, an invalid header, a dangerous attachment. */
    CONTENT,
    /** The SMTP dialogue went wrong: a command out of place, a syntax error. */
    PROTOCOL,
    /** The server will not relay, a loop, or no route to the destination. */
    ROUTING,
    /** TLS is required, or could not be set up. */
    TLS,
    /** No answer in time. */
    TIMEOUT,
    /** DNS could not say where to send, or a DNS check of the sender failed. */
    DNS,
    /** None of the above. */
    OTHER;

    /** The name in results: {@code bad-mailbox}. */
    public String json() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The category of a results name, such as {@code rate-limit}. */
    public static Optional<BounceCategory> ofJson(String name) {
        for (var category : values()) {
            if (category.json().equals(name)) {
                return Optional.of(category);
            }
        }
        return Optional.empty();
    }
}
