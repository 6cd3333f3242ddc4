package dev.ferrymta.relay.smtp;

import dev.ferrymta.relay.mail.MailAddress;
import dev.ferrymta.relay.message.DsnRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * One message as a mail transaction sends it (RFC 5321 section 3.3): the envelope, the content
 * as it goes on the wire, and the message's RFC 3461 request. Compared by identity: a session
 * that pipelined a message's envelope ({@link NextMessage}) expects that same object next.
 *
 * @param sender    the envelope sender; empty for the null sender {@code <>} (bounces)
 * @param recipient the envelope recipient
 * @param content   the message, headers and body; line endings are made CRLF on the way
 * @param dsn       the message's {@code "dsn"} property, sent only when the server offers DSN;
 *                  {@link DsnRequest#NONE} for none
 */
public record SmtpMessage(Optional<MailAddress> sender, MailAddress recipient, byte[] content, DsnRequest dsn) {

    public SmtpMessage {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(dsn, "dsn");
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "SmtpMessage[to " + recipient + ", " + content.length + " bytes]";
    }
}
